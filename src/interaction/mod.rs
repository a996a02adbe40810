//! Citizen interaction (政民互动): what a message is and the rules it lives by, apart from where
//! it is stored (`store::messages`) or shown (`web::messages`, `web::admin::messages`, the
//! interaction pages of `publish`).
//!
//! - `submission`: the public form's fields, checked and length-limited.
//! - `deadline`: 24 hours to acknowledge, 7 or 15 working days to answer.
//! - `mask`: personal data taken out of anything published.
//! - `pow`, `limit`: the spam defences (proof of work, per-address rates); the honeypot is a
//!   field of the submission.

pub mod deadline;
pub mod handling;
pub mod limit;
pub mod mask;
pub mod oversight;
pub mod pow;
pub mod submission;

use serde::Serialize;

/// The standard acknowledgement (受理) text, until a site sets its own.
pub const DEFAULT_ACK_TEXT: &str = "您反映的问题已由我单位受理，将尽快给您回复";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Category {
    /// 咨询: the inspection's "consultation", which must never stay unanswered.
    Consult,
    /// 建议.
    Suggest,
    /// 投诉.
    Complain,
}

impl Category {
    pub const ALL: [Category; 3] = [Category::Consult, Category::Suggest, Category::Complain];

    pub fn as_str(self) -> &'static str {
        match self {
            Category::Consult => "consult",
            Category::Suggest => "suggest",
            Category::Complain => "complain",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Category::Consult => "咨询",
            Category::Suggest => "建议",
            Category::Complain => "投诉",
        }
    }

    pub fn parse(s: &str) -> Option<Category> {
        Category::ALL.into_iter().find(|c| c.as_str() == s)
    }
}

/// Where a message stands, as the citizen and the inbox see it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// 待受理.
    Received,
    /// 办理中: acknowledged, no reviewed reply yet.
    Handling,
    /// 已答复.
    Answered,
}

impl Status {
    pub fn label(self) -> &'static str {
        match self {
            Status::Received => "待受理",
            Status::Handling => "办理中",
            Status::Answered => "已答复",
        }
    }
}
