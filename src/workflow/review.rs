//! The steps of review, each a function of the article's facts and of who acts.

use super::{RevState, WorkflowError};

/// The article as a step needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Article {
    /// `draft`, `published` or `withdrawn`: the article's own status, whatever its revisions.
    pub status: String,
    /// The revision being worked on or reviewed, if there is one.
    pub work: Option<Work>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Work {
    pub state: RevState,
    /// Review levels passed so far.
    pub level: i64,
}

/// Who reviews, and what they have done to this revision before.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reviewer {
    /// They wrote the revision or changed a word of it (a reviewer who rewrote a colleague's
    /// draft is its co-author).
    pub wrote_it: bool,
    /// They already approved a level of it.
    pub approved_a_level: bool,
}

/// What the reviewer confirms with an approval, and what the content check found.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Confirmations {
    /// They checked the content for secrets (保密审查), ticked by hand.
    pub secrecy_reviewed: bool,
    /// The veto-class findings of the content check, in words.
    pub vetoes: Vec<String>,
    /// Their written reason for publishing despite them (已核实，确需发布：……).
    pub reason: String,
}

/// Where an approval leads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// Level `level` of `of` passed; the next level needs another reviewer.
    Advance { level: i64, of: i64 },
    /// The last level passed: the revision goes live.
    Publish { level: i64, of: i64 },
}

/// Sending the revision to review.
pub fn submit(a: &Article) -> Result<(), WorkflowError> {
    match a.work {
        None => Err(WorkflowError::NothingToSubmit),
        Some(w) if !w.state.editable() => Err(WorkflowError::AlreadyInReview),
        Some(_) => Ok(()),
    }
}

/// The checks every review decision passes, in the order the reviewer should hear them.
fn reviewable(a: &Article, r: Reviewer) -> Result<Work, WorkflowError> {
    let work = match a.work {
        Some(w) if w.state == RevState::Submitted => w,
        _ => return Err(WorkflowError::NotSubmitted),
    };
    if r.wrote_it {
        return Err(WorkflowError::OwnRevision);
    }
    Ok(work)
}

/// Approving the next level of a site with `levels` review levels (one to three). Every level
/// is a 保密审查; a veto-class finding of the content check passes only with a written reason.
pub fn approve(a: &Article, r: Reviewer, levels: i64, c: &Confirmations) -> Result<Step, WorkflowError> {
    let work = reviewable(a, r)?;
    if r.approved_a_level {
        return Err(WorkflowError::SecondLevel);
    }
    if !c.secrecy_reviewed {
        return Err(WorkflowError::NoSecrecyReview);
    }
    // A reason is a sentence, not a tick: a few characters say nothing.
    if !c.vetoes.is_empty() && c.reason.trim().chars().count() < 4 {
        return Err(WorkflowError::Unconfirmed { count: c.vetoes.len(), first: c.vetoes[0].clone() });
    }
    let (level, of) = (work.level + 1, levels.clamp(1, 3));
    Ok(if level < of { Step::Advance { level, of } } else { Step::Publish { level, of } })
}

/// A rejection says what to change; checked before anything is read, so an empty comment is
/// answered on the form whatever the article.
pub fn rejection_comment(comment: &str) -> Result<&str, WorkflowError> {
    match comment.trim() {
        "" => Err(WorkflowError::NoComment),
        c => Ok(c),
    }
}

/// Sending the revision back to its author; the comment is required. Returns the level the
/// rejection is recorded at.
pub fn reject(a: &Article, r: Reviewer, comment: &str) -> Result<i64, WorkflowError> {
    rejection_comment(comment)?;
    Ok(reviewable(a, r)?.level + 1)
}

/// Taking a published article off its site.
pub fn withdraw(a: &Article) -> Result<(), WorkflowError> {
    if a.status == "published" {
        Ok(())
    } else {
        Err(WorkflowError::NotPublished)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn article(status: &str, state: Option<RevState>, level: i64) -> Article {
        Article { status: status.into(), work: state.map(|state| Work { state, level }) }
    }

    const COLLEAGUE: Reviewer = Reviewer { wrote_it: false, approved_a_level: false };

    fn checked() -> Confirmations {
        Confirmations { secrecy_reviewed: true, ..Confirmations::default() }
    }

    #[test]
    fn every_approval_is_a_secrecy_review_and_vetoes_need_a_reason() {
        let a = article("draft", Some(RevState::Submitted), 0);
        let none = Confirmations::default();
        assert_eq!(approve(&a, COLLEAGUE, 1, &none), Err(WorkflowError::NoSecrecyReview));
        assert_eq!(WorkflowError::NoSecrecyReview.refusal(), crate::workflow::Refusal::Field("secrecy"));
        let veto = Confirmations { vetoes: vec!["领导姓名疑似写错".into()], ..checked() };
        let refused = approve(&a, COLLEAGUE, 1, &veto).unwrap_err();
        assert_eq!(refused, WorkflowError::Unconfirmed { count: 1, first: "领导姓名疑似写错".into() });
        assert_eq!(refused.refusal(), crate::workflow::Refusal::Field("confirmation"));
        let short = Confirmations { reason: " 是 ".into(), ..veto.clone() };
        assert!(approve(&a, COLLEAGUE, 1, &short).is_err(), "a reason says something");
        let reasoned = Confirmations { reason: "已核实，确需发布：引用原文".into(), ..veto };
        assert_eq!(approve(&a, COLLEAGUE, 1, &reasoned), Ok(Step::Publish { level: 1, of: 1 }));
        // The person is checked before the confirmations.
        let author = Reviewer { wrote_it: true, approved_a_level: false };
        assert_eq!(approve(&a, author, 1, &none), Err(WorkflowError::OwnRevision));
    }

    #[test]
    fn only_an_editable_revision_is_submitted() {
        assert_eq!(submit(&article("draft", None, 0)), Err(WorkflowError::NothingToSubmit));
        assert_eq!(submit(&article("draft", Some(RevState::Submitted), 0)), Err(WorkflowError::AlreadyInReview));
        assert_eq!(submit(&article("draft", Some(RevState::Draft), 0)), Ok(()));
        assert_eq!(submit(&article("published", Some(RevState::Rejected), 0)), Ok(()));
    }

    #[test]
    fn levels_advance_then_publish() {
        let a = article("draft", Some(RevState::Submitted), 0);
        assert_eq!(approve(&a, COLLEAGUE, 1, &checked()), Ok(Step::Publish { level: 1, of: 1 }));
        assert_eq!(approve(&a, COLLEAGUE, 3, &checked()), Ok(Step::Advance { level: 1, of: 3 }));
        let two = article("draft", Some(RevState::Submitted), 2);
        assert_eq!(approve(&two, COLLEAGUE, 3, &checked()), Ok(Step::Publish { level: 3, of: 3 }));
        // A site's setting outside 1..=3 is read as the nearest allowed.
        assert_eq!(approve(&a, COLLEAGUE, 0, &checked()), Ok(Step::Publish { level: 1, of: 1 }));
    }

    #[test]
    fn a_reviewer_never_approves_their_own_nor_two_levels() {
        let a = article("draft", Some(RevState::Submitted), 1);
        let author = Reviewer { wrote_it: true, approved_a_level: false };
        assert_eq!(approve(&a, author, 2, &checked()), Err(WorkflowError::OwnRevision));
        assert_eq!(reject(&a, author, "改"), Err(WorkflowError::OwnRevision));
        let again = Reviewer { wrote_it: false, approved_a_level: true };
        assert_eq!(approve(&a, again, 2, &checked()), Err(WorkflowError::SecondLevel));
        // Sending back is still theirs to do.
        assert_eq!(reject(&a, again, "请补充依据"), Ok(2));
        assert_eq!(WorkflowError::OwnRevision.refusal(), crate::workflow::Refusal::Person);
    }

    #[test]
    fn the_state_is_checked_before_the_person() {
        let draft = article("draft", Some(RevState::Draft), 0);
        let author = Reviewer { wrote_it: true, approved_a_level: true };
        assert_eq!(approve(&draft, author, 1, &checked()), Err(WorkflowError::NotSubmitted));
        assert_eq!(reject(&draft, COLLEAGUE, "x"), Err(WorkflowError::NotSubmitted));
    }

    #[test]
    fn a_rejection_needs_a_comment_and_only_live_articles_are_withdrawn() {
        let a = article("draft", Some(RevState::Submitted), 0);
        assert_eq!(reject(&a, COLLEAGUE, "  "), Err(WorkflowError::NoComment));
        assert_eq!(WorkflowError::NoComment.refusal(), crate::workflow::Refusal::Field("comment"));
        assert_eq!(withdraw(&article("published", None, 0)), Ok(()));
        assert_eq!(withdraw(&article("withdrawn", None, 0)), Err(WorkflowError::NotPublished));
    }
}
