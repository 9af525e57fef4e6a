//! The shell conventions as a user meets them: `tusou completions`,
//! `tusou man`, `tusou config path|init|check`, and the edges of
//! `tusou search` that scripts read (the real binary, temporary directories,
//! the demo simulator in-process).

use std::path::Path;
use std::process::{Command, Output};

fn tusou_in(args: &[&str], dirs: &Path, cwd: &Path, env: &[(&str, &str)]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_tusou"));
    command
        .args(args)
        .current_dir(cwd)
        .env("TUSOU_CONFIG_DIR", dirs.join("config"))
        .env("TUSOU_CACHE_DIR", dirs.join("cache"))
        .env("TUSOU_DATA_DIR", dirs.join("data"))
        .env_remove("TUSOU_APP_KEY")
        .env_remove("TUSOU_APP_SECRET")
        .env_remove("TUSOU_ACCESS_KEY")
        .env_remove("TUSOU_PROVIDER")
        .env_remove("TUSOU_LOG")
        .env_remove("NO_COLOR");
    for (k, v) in env {
        command.env(k, v);
    }
    command.output().expect("binary runs")
}

fn tusou(args: &[&str], dirs: &Path) -> Output {
    tusou_in(args, dirs, dirs, &[])
}

fn stdout(out: &Output) -> String {
    assert!(
        out.status.success(),
        "exit {:?}: {}",
        out.status.code(),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout.clone()).expect("UTF-8")
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn completions_are_a_script_for_each_shell() {
    let dir = tempfile::tempdir().unwrap();
    for (shell, says) in [
        ("bash", "complete -F"),
        ("zsh", "#compdef tusou"),
        ("fish", "complete -c tusou"),
        ("powershell", "Register-ArgumentCompleter"),
    ] {
        let script = stdout(&tusou(&["completions", shell], dir.path()));
        assert!(script.contains(says), "{shell}: {script:.300}");
        assert!(
            script.contains("shortlist"),
            "{shell} completes subcommands"
        );
    }
    let out = tusou(&["completions", "tcsh"], dir.path());
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn man_is_a_roff_page() {
    let dir = tempfile::tempdir().unwrap();
    let page = stdout(&tusou(&["man"], dir.path()));
    assert!(
        page.starts_with(".ie") || page.contains(".TH tusou"),
        "{page:.300}"
    );
    assert!(page.contains(".TH tusou 1"), "{page:.300}");
    assert!(page.contains("search"), "the subcommands are listed");
}

#[test]
fn config_path_names_the_file_in_the_config_directory() {
    let dir = tempfile::tempdir().unwrap();
    let path = stdout(&tusou(&["config", "path"], dir.path()));
    assert_eq!(
        path.trim_end(),
        dir.path()
            .join("config")
            .join("config.toml")
            .to_str()
            .unwrap()
    );
}

#[cfg(unix)]
#[test]
fn config_init_writes_a_private_template_once_and_check_accepts_it() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("config").join("config.toml");
    let out = tusou(&["config", "init"], dir.path());
    stdout(&out);
    let mode = std::fs::metadata(&file).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    let template = std::fs::read_to_string(&file).unwrap();
    assert!(template.contains("# app_secret"), "{template}");

    // The template parses as written.
    let checked = stdout(&tusou(&["config", "check"], dir.path()));
    assert!(checked.contains("ok"), "{checked}");
    assert!(
        !stderr(&tusou(&["config", "check"], dir.path())).contains("readable by others"),
        "0600: no warning"
    );

    // Never overwritten.
    std::fs::write(&file, "page_size = 7\n").unwrap();
    let again = tusou(&["config", "init"], dir.path());
    assert_eq!(again.status.code(), Some(2), "{}", stderr(&again));
    assert!(
        stderr(&again).contains("already exists"),
        "{}",
        stderr(&again)
    );
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "page_size = 7\n");
}

#[cfg(unix)]
#[test]
fn config_init_refuses_a_symlink_at_the_path() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("config")).unwrap();
    let victim = dir.path().join("victim.txt");
    std::fs::write(&victim, "keep me").unwrap();
    let link = dir.path().join("config").join("config.toml");
    std::os::unix::fs::symlink(&victim, &link).unwrap();
    let out = tusou(&["config", "init"], dir.path());
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "keep me");
    // A dangling link is refused too, and nothing is created through it.
    std::fs::remove_file(&victim).unwrap();
    let out = tusou(&["config", "init"], dir.path());
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(!victim.exists());
}

#[test]
fn config_check_says_what_is_wrong_with_exit_6() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("config")).unwrap();
    let file = dir.path().join("config").join("config.toml");
    std::fs::write(&file, "[network]\nretries = 99\n").unwrap();
    let out = tusou(&["config", "check"], dir.path());
    assert_eq!(out.status.code(), Some(6));
    assert!(
        stderr(&out).contains("[network] retries = 99"),
        "{}",
        stderr(&out)
    );
    // No file at all is a valid configuration: the environment only.
    std::fs::remove_file(&file).unwrap();
    let said = stdout(&tusou(&["config", "check"], dir.path()));
    assert!(said.contains("no config file"), "{said}");
}
