//! Exit codes: the one mapping from a [`ProblemKind`] to the number a script sees (documented in `--help` and
//! `docs/cli.md`). Nothing else in the CLI chooses an exit code, apart from clap's own usage errors, which
//! are also [`BAD_INPUT`].

use std::process::ExitCode;

use presently_core::ProblemKind;

/// Everything went as asked.
pub const OK: u8 = 0;
/// Something unexpected (a bug, a store that cannot be written, ...).
pub const OTHER: u8 = 1;
/// Bad input: an unknown status, a bad duration, a bad flag, a broken settings file.
pub const BAD_INPUT: u8 = 2;
/// Sign-in needed: nobody is signed in, or the saved sign-in expired or was revoked.
pub const SIGN_IN: u8 = 3;
/// Permission: consent, or an administrator's approval, is needed.
pub const PERMISSION: u8 = 4;
/// Throttled, unavailable or offline, after the retries the policy allows.
pub const UNAVAILABLE: u8 = 5;
/// Configuration: the app registration or the sign-in settings must be fixed.
pub const CONFIGURATION: u8 = 6;

/// The exit code of a problem of this kind.
pub fn code_for(kind: ProblemKind) -> u8 {
    match kind {
        ProblemKind::InvalidChoice => BAD_INPUT,
        ProblemKind::SignInRequired => SIGN_IN,
        ProblemKind::ConsentRequired => PERMISSION,
        ProblemKind::Throttled | ProblemKind::Offline => UNAVAILABLE,
        ProblemKind::Configuration => CONFIGURATION,
        ProblemKind::Internal => OTHER,
    }
}

/// As a process exit code.
pub fn exit_code(code: u8) -> ExitCode {
    ExitCode::from(code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_problem_kind_has_the_documented_exit_code() {
        let table = [
            (ProblemKind::InvalidChoice, 2),
            (ProblemKind::SignInRequired, 3),
            (ProblemKind::ConsentRequired, 4),
            (ProblemKind::Throttled, 5),
            (ProblemKind::Offline, 5),
            (ProblemKind::Configuration, 6),
            (ProblemKind::Internal, 1),
        ];
        for (kind, code) in table {
            assert_eq!(code_for(kind), code, "{kind:?}");
        }
    }
}
