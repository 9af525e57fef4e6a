//! `tusou watch install` / `uninstall`: a systemd user timer and service
//! that run `tusou watch run` (each watch still keeps its own schedule:
//! the timer only wakes it), written to `$XDG_CONFIG_HOME/systemd/user`
//! (`--print` prints them instead); where systemd does not run, the
//! crontab line that does the same. Files are created new, never over
//! another (uninstall first), never through a symlink.

use crate::cli::{CommonArgs, WatchInstallArgs};
use crate::commands::error::{CommandError, Exit, finish};
use crate::export::file::{Naming, create_new};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// The units' names.
pub(super) const SERVICE: &str = "tusou-watch.service";
pub(super) const TIMER: &str = "tusou-watch.timer";

pub(super) fn run(args: &WatchInstallArgs, _common: &CommonArgs) -> ExitCode {
    finish(install(args))
}

pub(super) fn run_uninstall(_common: &CommonArgs) -> ExitCode {
    finish(uninstall())
}

/// This binary's absolute path, for the units to run.
fn this_binary() -> Result<PathBuf, CommandError> {
    std::env::current_exe()
        .map_err(|e| CommandError::failure(format!("cannot tell where tusou is: {e}")))
}

/// Where user units go: `$XDG_CONFIG_HOME/systemd/user`, else
/// `~/.config/systemd/user`.
fn unit_dir() -> Result<PathBuf, CommandError> {
    let base = std::env::var_os("XDG_CONFIG_HOME")
        .map(PathBuf::from)
        .filter(|p| p.is_absolute())
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".config")))
        .ok_or_else(|| CommandError::failure("neither XDG_CONFIG_HOME nor HOME is set"))?;
    Ok(base.join("systemd").join("user"))
}

/// Whether systemd runs this machine (its documented test).
fn systemd_runs() -> bool {
    Path::new("/run/systemd/system").is_dir()
}

fn install(args: &WatchInstallArgs) -> Result<Exit, CommandError> {
    let exe = this_binary()?;
    let extra = args.notify_cmd.as_deref();
    let service = service_unit(&exe, extra);
    let timer = timer_unit(&args.every);
    if args.print {
        let mut out = std::io::stdout().lock();
        write!(out, "# {SERVICE}\n{service}\n# {TIMER}\n{timer}")
            .and_then(|()| out.flush())
            .map_err(|e| CommandError::output(&e))?;
        return Ok(Exit::Ok);
    }
    if !systemd_runs() {
        let line = crontab_line(&exe, extra);
        println!("{line}");
        eprintln!(
            "tusou: systemd does not run here; add the line above to your crontab (`crontab -e`)"
        );
        return Ok(Exit::Ok);
    }
    let dir = unit_dir()?;
    std::fs::create_dir_all(&dir).map_err(|e| {
        CommandError::failure(format!("cannot make {}: {e}", crate::fs::shown(&dir)))
    })?;
    for (name, text) in [(SERVICE, &service), (TIMER, &timer)] {
        let path = dir.join(name);
        let (_, mut file) = create_new(&path, Naming::Refuse).map_err(|e| {
            CommandError::failure(format!(
                "{}: {e} (`tusou watch uninstall` first)",
                crate::fs::shown(&path)
            ))
        })?;
        file.write_all(text.as_bytes())
            .and_then(|()| file.sync_all())
            .map_err(|e| CommandError::failure(format!("{}: {e}", crate::fs::shown(&path))))?;
        eprintln!("tusou: wrote {}", crate::fs::shown(&path));
    }
    eprintln!(
        "tusou: now run: systemctl --user daemon-reload && systemctl --user enable --now {TIMER}"
    );
    Ok(Exit::Ok)
}

fn uninstall() -> Result<Exit, CommandError> {
    let dir = unit_dir()?;
    let mut removed = 0;
    for name in [TIMER, SERVICE] {
        let path = dir.join(name);
        match std::fs::remove_file(&path) {
            Ok(()) => {
                removed += 1;
                eprintln!("tusou: removed {}", crate::fs::shown(&path));
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => {
                return Err(CommandError::failure(format!(
                    "{}: {e}",
                    crate::fs::shown(&path)
                )));
            }
        }
    }
    if removed > 0 {
        eprintln!(
            "tusou: now run: systemctl --user disable --now {TIMER}; systemctl --user daemon-reload"
        );
    } else {
        eprintln!(
            "tusou: no units in {}; a crontab line, if you added one, is removed with `crontab -e`",
            crate::fs::shown(&dir)
        );
    }
    Ok(Exit::Ok)
}

/// One word of an `ExecStart=` line: double-quoted, with `\`, `"` escaped
/// and systemd's specifiers (`%`) and variables (`$`) doubled.
pub(super) fn systemd_word(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '%' => out.push_str("%%"),
            '$' => out.push_str("$$"),
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// One word for `sh` (cron runs the line with it): single-quoted.
pub(super) fn sh_word(s: &str) -> String {
    format!("'{}'", s.replace('\'', "'\\''"))
}

/// The service: one `tusou watch run`; exit 10 (something changed) is a
/// success too.
pub(super) fn service_unit(exe: &Path, notify_cmd: Option<&str>) -> String {
    let mut exec = format!("{} watch run", systemd_word(&exe.to_string_lossy()));
    if let Some(cmd) = notify_cmd {
        exec.push_str(" --notify-cmd ");
        exec.push_str(&systemd_word(cmd));
    }
    format!(
        "[Unit]\n\
         Description=tusou watch: run the searches that are due and say what changed\n\
         \n\
         [Service]\n\
         Type=oneshot\n\
         ExecStart={exec}\n\
         # 10: ran, and something changed\n\
         SuccessExitStatus=10\n"
    )
}

/// The timer: wakes the service at `every` (a systemd calendar spec or
/// shorthand: hourly, daily…), catching up after the machine slept.
pub(super) fn timer_unit(every: &str) -> String {
    format!(
        "[Unit]\n\
         Description=tusou watch: wake the watches ({every})\n\
         \n\
         [Timer]\n\
         OnCalendar={every}\n\
         Persistent=true\n\
         RandomizedDelaySec=300\n\
         \n\
         [Install]\n\
         WantedBy=timers.target\n"
    )
}

/// The crontab line: hourly, the digest mailed by cron only when
/// something changed (cron mails what a job prints; the table of a run
/// where nothing changed goes to /dev/null).
pub(super) fn crontab_line(exe: &Path, notify_cmd: Option<&str>) -> String {
    let notify = notify_cmd
        .map(|c| format!(" --notify-cmd {}", sh_word(c)))
        .unwrap_or_default();
    // cron reads a bare `%` as a newline.
    let notify = notify.replace('%', "\\%");
    let exe = sh_word(&exe.to_string_lossy()).replace('%', "\\%");
    format!("17 * * * * out=$({exe} watch run{notify}); [ $? -eq 10 ] && printf '\\%s\\n' \"$out\"")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_are_quoted_for_systemd_and_sh() {
        assert_eq!(systemd_word("/usr/bin/tusou"), "\"/usr/bin/tusou\"");
        assert_eq!(
            systemd_word("a \"b\" 100% $HOME \\"),
            "\"a \\\"b\\\" 100%% $$HOME \\\\\""
        );
        assert_eq!(sh_word("it's"), "'it'\\''s'");
    }

    #[test]
    fn the_crontab_line_runs_hourly_and_prints_only_changes() {
        let line = crontab_line(Path::new("/opt/my tools/tusou"), Some("mail -s 'x' me"));
        assert_eq!(
            line,
            "17 * * * * out=$('/opt/my tools/tusou' watch run --notify-cmd 'mail -s '\\''x'\\'' me'); [ $? -eq 10 ] && printf '\\%s\\n' \"$out\""
        );
        // cron reads `%` as a newline unless escaped: only `\%` appears.
        assert!(!line.replace("\\%", "").contains('%'));
    }
}
