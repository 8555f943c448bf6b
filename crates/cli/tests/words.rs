//! The CLI's words, read as a person reads them: every command a person runs in a day (and the usual mistakes),
//! with the real binary against the emulator, must print text that passes the word check every surface shares
//! (`presently_core::wording::flaws`): no doubled punctuation or space, no unfilled placeholder, and no path
//! under the home or the temporary folder written out in full.
// Tests: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::Harness;
use presently_core::wording::flaws;

/// What the step is, the command's arguments, its environment.
type Step<'a> = (&'a str, Vec<&'a str>, &'a [(&'a str, &'a str)]);

#[tokio::test]
async fn every_line_the_cli_prints_reads_well() {
    let h = Harness::auto_approving().await;
    // Files where people have them (under the home folder), so the CLI can write them as `~/...`; any path of this
    // test's folder left in full is a flaw, as the temporary folder it is.
    let root = h.data_dir().parent().unwrap().to_path_buf();
    let home = root.join("home");
    let env_home = [
        ("PRESENTLY_DATA_DIR", home.join(".local/share/presently")),
        ("PRESENTLY_CONFIG", home.join(".config/presently/settings.toml")),
        // Where an administrator puts it (nothing there: "does not exist (fine)").
        (
            "PRESENTLY_MANAGED_CONFIG",
            std::path::PathBuf::from("/etc/presently/managed.toml"),
        ),
    ];
    let env: Vec<(&str, &str)> = env_home.iter().map(|(k, v)| (*k, v.to_str().unwrap())).collect();
    let mut with_browser = env.clone();
    with_browser.push(("BROWSER", "curl -fsSL"));
    let raw = [root.clone()];

    let runs: Vec<Step> = vec![
        ("doctor, signed out", vec!["doctor"], &env),
        ("status, signed out", vec!["status"], &env),
        ("whoami, signed out", vec!["whoami"], &env),
        ("set, signed out", vec!["set", "busy"], &env),
        ("login", vec!["login"], &with_browser),
        ("whoami", vec!["whoami"], &env),
        ("doctor", vec!["doctor"], &env),
        ("set for an hour", vec!["set", "busy", "--for", "1h"], &env),
        ("set until a time", vec!["set", "dnd", "--until", "23:59"], &env),
        ("set for Graph's default", vec!["set", "away"], &env),
        ("set a preset", vec!["set", "brb", "--preset", "forever"], &env),
        ("set offline", vec!["set", "offline", "--for", "30m"], &env),
        ("status", vec!["status"], &env),
        ("set an unknown status", vec!["set", "lunch"], &env),
        ("set a bad duration", vec!["set", "busy", "--for", "soon"], &env),
        ("clear", vec!["clear"], &env),
        ("status, automatic", vec!["status"], &env),
        ("config path", vec!["config", "path"], &env),
        ("config get", vec!["config", "get"], &env),
        ("consent-url", vec!["consent-url"], &env),
        ("logout", vec!["logout"], &env),
        ("help", vec!["--help"], &env),
        ("help of set", vec!["set", "--help"], &env),
    ];
    let mut bad = vec![];
    let mut lines = 0;
    for (what, args, env) in runs {
        let run = h.run_with(&args, env).await;
        for line in run.stdout.lines().chain(run.stderr.lines()) {
            lines += 1;
            for flaw in flaws(line, &raw) {
                bad.push(format!(
                    "{what} (`presently {}`): {line:?}: {flaw}",
                    args.join(" ")
                ));
            }
        }
    }
    assert!(lines > 60, "only {lines} lines printed");
    assert!(
        bad.is_empty(),
        "{} CLI lines read badly:\n{}",
        bad.len(),
        bad.join("\n")
    );
}
