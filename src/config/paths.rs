//! Where tusou's files live (config, data, cache, exports), from the environment
//! or the platform's directories, and the permission check of the config file.

use crate::fs::shown;
use std::path::{Path, PathBuf};

pub(crate) fn config_dir() -> Option<PathBuf> {
    env_path("TUSOU_CONFIG_DIR").or_else(|| dirs::config_dir().map(|d| d.join("tusou")))
}

/// Where the history store lives: `$TUSOU_DATA_DIR`, else `tusou` in the
/// platform's data directory (`$XDG_DATA_HOME`, `~/.local/share`).
pub(super) fn data_dir() -> Option<PathBuf> {
    env_path("TUSOU_DATA_DIR").or_else(|| dirs::data_dir().map(|d| d.join("tusou")))
}

pub(super) fn cache_dir() -> Option<PathBuf> {
    env_path("TUSOU_CACHE_DIR").or_else(|| dirs::cache_dir().map(|d| d.join("tusou")))
}

/// Where exports go: `$TUSOU_EXPORT_DIR`, else the current directory.
pub(crate) fn export_dir() -> PathBuf {
    env_path("TUSOU_EXPORT_DIR")
        .or_else(|| std::env::current_dir().ok())
        .unwrap_or_else(|| PathBuf::from("."))
}

fn env_path(name: &str) -> Option<PathBuf> {
    std::env::var_os(name)
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
}

/// Warns when a file holding secrets is readable by group or others.
pub(super) fn permission_warning(path: &Path) -> Option<String> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(path).ok()?.permissions().mode();
        if mode & 0o044 != 0 {
            return Some(format!(
                "{} is readable by others (mode {:o}); run: chmod 600 {}",
                shown(path),
                mode & 0o777,
                shown(path)
            ));
        }
    }
    let _ = path;
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(unix)]
    #[test]
    fn world_readable_file_warns() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("config.toml");
        std::fs::write(&p, "").unwrap();
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o644)).unwrap();
        assert!(permission_warning(&p).is_some());
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o600)).unwrap();
        assert!(permission_warning(&p).is_none());
    }
}
