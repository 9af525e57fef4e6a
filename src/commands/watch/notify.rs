//! `--notify-cmd CMD`: the digest piped to a command's stdin when
//! something changed (mail, curl to a chat webhook, ntfy). The command
//! runs under `sh -c` with a cleared environment plus `PATH` (so no key or
//! secret of tusou's reaches it; nothing secret is in its arguments), its
//! stdout sent to tusou's stderr so the digest on stdout stays clean, and
//! it is killed if it has not finished within [`NOTIFY_WAIT`]. Its failure
//! is said on stderr and does not change the exit code.

use std::io::Write;
use std::os::fd::AsFd;
use std::process::Stdio;
use std::time::Duration;
use std::time::Instant;

/// How long the command may take, writing its input included.
pub(super) const NOTIFY_WAIT: Duration = Duration::from_secs(60);

/// The `PATH` the command gets when tusou has none.
const DEFAULT_PATH: &str = "/usr/local/bin:/usr/bin:/bin";

pub(super) async fn send(cmd: &str, digest: &[u8]) {
    send_within(cmd, digest, NOTIFY_WAIT).await;
}

/// [`send`] with its bound; answers whether the command exited with 0.
pub(super) async fn send_within(cmd: &str, digest: &[u8], wait: Duration) -> bool {
    let (cmd, digest) = (cmd.to_string(), digest.to_vec());
    tokio::task::spawn_blocking(move || send_blocking(&cmd, digest, wait))
        .await
        .unwrap_or(false)
}

fn send_blocking(cmd: &str, digest: Vec<u8>, wait: Duration) -> bool {
    let path = std::env::var_os("PATH").unwrap_or_else(|| DEFAULT_PATH.into());
    let stdout = match std::io::stderr().as_fd().try_clone_to_owned() {
        Ok(fd) => Stdio::from(fd),
        Err(_) => Stdio::null(),
    };
    let spawned = std::process::Command::new("/bin/sh")
        .arg("-c")
        .arg(cmd)
        .env_clear()
        .env("PATH", path)
        .stdin(Stdio::piped())
        .stdout(stdout)
        .stderr(Stdio::inherit())
        .spawn();
    let mut child = match spawned {
        Ok(child) => child,
        Err(e) => {
            eprintln!("tusou: --notify-cmd could not start: {e}");
            return false;
        }
    };
    // Written from a thread: a command that does not read must not stop
    // the wait; its end closes the pipe and so ends the thread.
    let writer = child.stdin.take().map(|mut stdin| {
        std::thread::spawn(move || {
            let _ = stdin.write_all(&digest);
        })
    });
    let deadline = Instant::now() + wait;
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break Ok(status),
            Ok(None) if Instant::now() >= deadline => {
                let _ = child.kill();
                let _ = child.wait();
                break Err(format!(
                    "did not finish within {} s; stopped",
                    wait.as_secs_f64().ceil()
                ));
            }
            Ok(None) => std::thread::sleep(POLL),
            Err(e) => break Err(e.to_string()),
        }
    };
    if let Some(writer) = writer {
        let _ = writer.join();
    }
    match status {
        Ok(status) if status.success() => true,
        Ok(status) => {
            eprintln!("tusou: --notify-cmd ended with {status}");
            false
        }
        Err(why) => {
            eprintln!("tusou: --notify-cmd {why}");
            false
        }
    }
}

/// How often the wait looks whether the command has ended.
const POLL: Duration = Duration::from_millis(20);

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_digest_reaches_stdin_and_the_environment_is_cleared() {
        let dir = tempfile::tempdir().unwrap();
        let got = dir.path().join("got");
        let env = dir.path().join("env");
        let cmd = format!("cat > '{}'; env > '{}'", got.display(), env.display());
        assert!(send_within(&cmd, b"digest\n", Duration::from_secs(10)).await);
        assert_eq!(std::fs::read(&got).unwrap(), b"digest\n");
        let env = std::fs::read_to_string(&env).unwrap();
        let names: Vec<_> = env
            .lines()
            .filter_map(|l| l.split_once('=').map(|(k, _)| k))
            .filter(|k| !matches!(*k, "PATH" | "PWD" | "SHLVL" | "_" | "OLDPWD"))
            .collect();
        assert!(names.is_empty(), "{names:?}");
    }

    #[tokio::test]
    async fn a_command_that_hangs_is_stopped_and_one_that_fails_said() {
        let started = std::time::Instant::now();
        assert!(!send_within("sleep 30", b"x", Duration::from_millis(200)).await);
        assert!(started.elapsed() < Duration::from_secs(5));
        assert!(!send_within("exit 3", b"x", Duration::from_secs(5)).await);
    }
}
