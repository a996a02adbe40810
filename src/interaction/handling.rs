//! The steps of handling a citizen's message, as rules over its facts (the shape
//! `crate::workflow` gives articles): acknowledge (受理), transfer (转办), mark complex, ask for
//! and decide an extension, write, submit and review the reply. `store::messages` loads the
//! facts inside the transaction that locked the message, asks here, and writes the step.

/// What the steps look at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Facts<'a> {
    /// The responsible site.
    pub site_id: i64,
    pub acknowledged: bool,
    pub answered: bool,
    pub complex: bool,
    /// `requested`, `approved` or `refused`, once an extension was asked for.
    pub extension: Option<&'a str>,
    /// `draft`, `submitted` or `rejected`, once a reply was saved.
    pub reply_state: Option<&'a str>,
    /// A saved reply with some text in it.
    pub reply_written: bool,
}

/// What a reviewer of the reply has done to it before.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReplyReviewer {
    pub wrote_it: bool,
    pub approved_a_level: bool,
}

/// Why a step is refused, in the words the handler reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum HandlingError {
    #[error("该留言已经受理")]
    AlreadyAcknowledged,
    #[error("已答复的留言不能转办")]
    AnsweredCannotMove,
    #[error("该留言已由这个单位负责")]
    SameUnit,
    #[error("答复正在审核中，不能转办")]
    ReviewBlocksTransfer,
    #[error("该留言已答复或已标记为复杂问题")]
    AnsweredOrComplex,
    #[error("已答复的留言不需要延期")]
    AnsweredNeedsNoTime,
    #[error("每条留言只能申请一次延期")]
    OneExtension,
    #[error("延期申请由信息化办审批")]
    ExtensionsAreCentral,
    #[error("该留言没有待审批的延期申请")]
    NoExtensionAsked,
    #[error("该留言已答复")]
    AlreadyAnswered,
    #[error("答复正在审核中，审核退回后才能修改")]
    ReplyInReview,
    #[error("请先填写并保存答复内容")]
    NoReplySaved,
    #[error("请先受理该留言，再提交答复")]
    AcknowledgeFirst,
    #[error("没有待审核的答复")]
    NoReplyInReview,
    #[error("不能审核自己撰写的答复（也包括自己修改过的答复）")]
    OwnReply,
    #[error("您已审核过本答复的上一级，下一级须由其他审核员审核")]
    SecondLevel,
}

impl HandlingError {
    /// Whether the refusal is about who acts (403) rather than where the message stands (409).
    pub fn about_the_person(self) -> bool {
        matches!(self, HandlingError::ExtensionsAreCentral | HandlingError::OwnReply | HandlingError::SecondLevel)
    }
}

type Step = Result<(), HandlingError>;

pub fn acknowledge(f: &Facts) -> Step {
    if f.acknowledged {
        return Err(HandlingError::AlreadyAcknowledged);
    }
    Ok(())
}

/// Moving the message to the unit `to`.
pub fn transfer(f: &Facts, to: i64) -> Step {
    if f.answered {
        return Err(HandlingError::AnsweredCannotMove);
    }
    if f.site_id == to {
        return Err(HandlingError::SameUnit);
    }
    if f.reply_state == Some("submitted") {
        return Err(HandlingError::ReviewBlocksTransfer);
    }
    Ok(())
}

pub fn mark_complex(f: &Facts) -> Step {
    if f.answered || f.complex {
        return Err(HandlingError::AnsweredOrComplex);
    }
    Ok(())
}

pub fn request_extension(f: &Facts) -> Step {
    if f.answered {
        return Err(HandlingError::AnsweredNeedsNoTime);
    }
    if f.extension.is_some() {
        return Err(HandlingError::OneExtension);
    }
    Ok(())
}

/// Who may decide an extension, asked before anything is read.
pub fn may_decide_extension(central: bool) -> Step {
    if central {
        Ok(())
    } else {
        Err(HandlingError::ExtensionsAreCentral)
    }
}

pub fn decide_extension(f: &Facts) -> Step {
    if f.extension != Some("requested") {
        return Err(HandlingError::NoExtensionAsked);
    }
    Ok(())
}

pub fn save_reply(f: &Facts) -> Step {
    if f.answered {
        return Err(HandlingError::AlreadyAnswered);
    }
    if f.reply_state == Some("submitted") {
        return Err(HandlingError::ReplyInReview);
    }
    Ok(())
}

/// Sending the saved reply to review: it needs text, and the 受理 the citizen is owed first.
pub fn submit_reply(f: &Facts) -> Step {
    if f.reply_state != Some("draft") || !f.reply_written {
        return Err(HandlingError::NoReplySaved);
    }
    if !f.acknowledged {
        return Err(HandlingError::AcknowledgeFirst);
    }
    Ok(())
}

/// One review level of the submitted reply: never by its writer, never two levels by one person.
pub fn review_reply(f: &Facts, r: ReplyReviewer) -> Step {
    if f.reply_state != Some("submitted") {
        return Err(HandlingError::NoReplyInReview);
    }
    if r.wrote_it {
        return Err(HandlingError::OwnReply);
    }
    if r.approved_a_level {
        return Err(HandlingError::SecondLevel);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn open() -> Facts<'static> {
        Facts { site_id: 7, ..Facts::default() }
    }

    #[test]
    fn receiving_moving_and_marking() {
        assert_eq!(acknowledge(&open()), Ok(()));
        assert_eq!(acknowledge(&Facts { acknowledged: true, ..open() }), Err(HandlingError::AlreadyAcknowledged));
        assert_eq!(transfer(&open(), 8), Ok(()));
        assert_eq!(transfer(&open(), 7), Err(HandlingError::SameUnit));
        assert_eq!(transfer(&Facts { answered: true, ..open() }, 7), Err(HandlingError::AnsweredCannotMove));
        let in_review = Facts { reply_state: Some("submitted"), ..open() };
        assert_eq!(transfer(&in_review, 8), Err(HandlingError::ReviewBlocksTransfer));
        assert_eq!(mark_complex(&Facts { complex: true, ..open() }), Err(HandlingError::AnsweredOrComplex));
    }

    #[test]
    fn one_extension_decided_by_the_central_office() {
        assert_eq!(request_extension(&open()), Ok(()));
        let asked = Facts { extension: Some("requested"), ..open() };
        assert_eq!(request_extension(&asked), Err(HandlingError::OneExtension));
        assert_eq!(request_extension(&Facts { answered: true, ..open() }), Err(HandlingError::AnsweredNeedsNoTime));
        assert_eq!(may_decide_extension(false), Err(HandlingError::ExtensionsAreCentral));
        assert!(HandlingError::ExtensionsAreCentral.about_the_person());
        assert_eq!(decide_extension(&asked), Ok(()));
        assert_eq!(
            decide_extension(&Facts { extension: Some("approved"), ..open() }),
            Err(HandlingError::NoExtensionAsked)
        );
    }

    #[test]
    fn a_reply_is_written_acknowledged_submitted_and_reviewed_by_others() {
        let draft = Facts { reply_state: Some("draft"), reply_written: true, ..open() };
        assert_eq!(submit_reply(&draft), Err(HandlingError::AcknowledgeFirst));
        assert_eq!(submit_reply(&Facts { reply_written: false, ..draft }), Err(HandlingError::NoReplySaved));
        assert_eq!(submit_reply(&Facts { acknowledged: true, ..draft }), Ok(()));
        let submitted = Facts { reply_state: Some("submitted"), ..draft };
        assert_eq!(save_reply(&submitted), Err(HandlingError::ReplyInReview));
        assert_eq!(save_reply(&Facts { answered: true, ..draft }), Err(HandlingError::AlreadyAnswered));
        let colleague = ReplyReviewer { wrote_it: false, approved_a_level: false };
        assert_eq!(review_reply(&submitted, colleague), Ok(()));
        assert_eq!(review_reply(&draft, colleague), Err(HandlingError::NoReplyInReview));
        let writer = ReplyReviewer { wrote_it: true, approved_a_level: false };
        assert_eq!(review_reply(&submitted, writer), Err(HandlingError::OwnReply));
        let again = ReplyReviewer { wrote_it: false, approved_a_level: true };
        assert_eq!(review_reply(&submitted, again), Err(HandlingError::SecondLevel));
        assert!(!HandlingError::NoReplyInReview.about_the_person());
    }
}
