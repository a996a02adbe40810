//! Where a revision stands. Stored as its lower-case name.

/// Where a revision stands in the workflow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum RevState {
    Draft,
    Submitted,
    Rejected,
    Approved,
    Superseded,
}

impl RevState {
    pub fn parse(s: &str) -> RevState {
        match s {
            "draft" => RevState::Draft,
            "submitted" => RevState::Submitted,
            "rejected" => RevState::Rejected,
            "superseded" => RevState::Superseded,
            _ => RevState::Approved,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            RevState::Draft => "draft",
            RevState::Submitted => "submitted",
            RevState::Rejected => "rejected",
            RevState::Approved => "approved",
            RevState::Superseded => "superseded",
        }
    }

    /// Whether an editor may still change the revision.
    pub fn editable(self) -> bool {
        matches!(self, RevState::Draft | RevState::Rejected)
    }
}

#[cfg(test)]
mod tests {
    use super::RevState;

    #[test]
    fn names_round_trip() {
        for s in [RevState::Draft, RevState::Submitted, RevState::Rejected, RevState::Approved, RevState::Superseded] {
            assert_eq!(RevState::parse(s.as_str()), s);
        }
        assert!(RevState::Draft.editable() && RevState::Rejected.editable() && !RevState::Submitted.editable());
    }
}
