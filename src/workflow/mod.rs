//! The article review workflow as rules over facts: draft → submitted → one to three review
//! levels → published; rejected back to the author; withdrawn (撤稿). Which step is allowed
//! from where, by whom, and where it leads is decided here, without a database:
//! `store::workflow` loads the facts inside its transaction, asks these functions, and writes
//! what they answer. A refusal is a `WorkflowError` whose text the person reads.

pub mod review;
pub mod state;

pub use review::{approve, reject, rejection_comment, submit, withdraw, Article, Confirmations, Reviewer, Step, Work};
pub use state::RevState;

/// Why a step is refused, in the words the editor or reviewer reads.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WorkflowError {
    #[error("没有待提交的修改")]
    NothingToSubmit,
    #[error("稿件已在审核中")]
    AlreadyInReview,
    #[error("稿件不在待审核状态")]
    NotSubmitted,
    #[error("不能审核自己撰写的稿件（也包括自己修改过的稿件），请由本单位其他审核员审核")]
    OwnRevision,
    #[error("您已审核过本稿件的上一级，下一级须由其他审核员审核")]
    SecondLevel,
    #[error("退回时请写明修改意见")]
    NoComment,
    #[error("只有已发布的稿件可以撤稿")]
    NotPublished,
    #[error("请先对稿件进行保密审查，确认不含涉密信息后勾选“已进行保密审查”，再审核通过")]
    NoSecrecyReview,
    #[error("发布前检查发现 {count} 处须核实的问题（{first}），请退回修改；确需按原文发布的，请在“核实说明”中写明理由（如：已核实，确需发布：……）")]
    Unconfirmed { count: usize, first: String },
}

/// How a refusal is answered: the state does not allow it (409), this person may not (403),
/// or a form field is missing (400, on the field).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    State,
    Person,
    Field(&'static str),
}

impl WorkflowError {
    pub fn refusal(&self) -> Refusal {
        match self {
            WorkflowError::OwnRevision | WorkflowError::SecondLevel => Refusal::Person,
            WorkflowError::NoComment => Refusal::Field("comment"),
            WorkflowError::NoSecrecyReview => Refusal::Field("secrecy"),
            WorkflowError::Unconfirmed { .. } => Refusal::Field("confirmation"),
            _ => Refusal::State,
        }
    }
}
