//! `tusou doctor`: after configuring credentials, one command that says what
//! tusou will use and proves a real round trip, step by step, with the
//! provider's own words where a step fails.

use super::error::{CommandError, exit_for, finish};
use super::startup::{Exit, load_config, start_backend};
use crate::api::{ApiError, Client, SearchParams};
use crate::backend::BackendMode;
use crate::cli::CommonArgs;
use crate::image::{PrepareOptions, PreparedImage};
use crate::text::sanitize;
use std::process::ExitCode;
use std::time::Instant;

/// An offset worth a warning even where the provider does not check it.
const CLOCK_WARN: f64 = 60.0;

/// One line of the report.
fn line(name: &str, text: &str) {
    println!("  {name:<9} {text}");
}

pub async fn run(common: &CommonArgs) -> ExitCode {
    finish(doctor(common).await)
}

/// Every failure is said on stdout, as a line of the report.
async fn doctor(common: &CommonArgs) -> Result<Exit, CommandError> {
    println!("tusou doctor");
    let config = load_config(common).map_err(|e| {
        line("config", &format!("FAILED · {}", sanitize(e.message())));
        CommandError::said(e.exit())
    })?;
    match &config.config_file {
        Some(path) => line("config", &sanitize(&path.display().to_string())),
        None => line("config", "no config file (environment variables only)"),
    }
    for warning in &config.warnings {
        line("", &format!("warning: {}", sanitize(warning)));
    }
    // Any failure to start is the configuration's here (exit 6).
    let backend = start_backend(&config, common).await.map_err(|e| {
        line(
            "provider",
            &format!("FAILED · {}", sanitize(&e.to_string())),
        );
        CommandError::said(Exit::Config)
    })?;
    let client = &backend.client;
    line("pictures", &sanitize(&crate::image::explain_graphics()));
    let info = client.provider_info();
    line(
        "provider",
        &format!("{} · {}", info.name, sanitize(client.base_url())),
    );
    if backend.mode == BackendMode::Demo {
        line(
            "",
            "demo: no credentials configured (or --demo), so this checks the built-in simulator",
        );
    }
    let key: String = client.key().chars().take(4).collect();
    let key_name = info.key_label;
    line(
        "key",
        &format!(
            "{}… ({key_name}; the secret is never shown)",
            sanitize(&key)
        ),
    );
    let (outcome, clock_refused) = round_trip(client).await;
    match outcome {
        Ok(()) => {
            println!("all steps ok");
            Ok(Exit::Ok)
        }
        Err(e) => {
            let exit = exit_for(&e);
            if exit == Exit::Auth && clock_refused {
                println!("set this machine's clock (NTP), then run tusou doctor again");
            } else if exit == Exit::Auth {
                println!(
                    "check the key and secret in your config (they must match the provider's console)"
                );
            }
            Err(CommandError::said(exit))
        }
    }
}

/// Reports the local clock's offset from the server's, read from the signed
/// replies already received (no request of its own); never fails the run by
/// itself (the signed query would, and says why). True when the provider
/// will refuse this clock.
fn check_clock(client: &Client) -> bool {
    match client.clock_offset() {
        Ok(offset) => {
            // The Date header has whole seconds: under 2 s is "in step".
            let direction = if offset >= 0.0 { "behind" } else { "ahead of" };
            let mut text = if offset.abs() < 2.0 {
                "in step with the server (within 2 s, from its Date header)".to_string()
            } else {
                format!(
                    "this machine is {:.0} s {direction} the server (its Date header)",
                    offset.abs()
                )
            };
            let tolerance = client.provider_info().clock_skew_tolerance;
            let refused = tolerance.is_some_and(|t| offset.abs() > t.as_secs_f64());
            if let (true, Some(tolerance)) = (refused, tolerance) {
                text.push_str(&format!(
                    " · FAILS: the provider refuses timestamps more than {:.0} s off: set this machine's clock (NTP)",
                    tolerance.as_secs_f64()
                ));
            } else if offset.abs() > CLOCK_WARN {
                text.push_str(" · warning: set this machine's clock (NTP)");
            } else {
                text.push_str(" · ok");
            }
            line("clock", &text);
            refused
        }
        Err(e) => {
            line("clock", &format!("unknown ({})", sanitize(&e.to_string())));
            false
        }
    }
}

/// Upload (where the provider takes one) and a one-offer query with a
/// built-in picture; the clock is reported from those signed replies,
/// before the query's outcome. Also answers whether the provider will
/// refuse this machine's clock.
async fn round_trip(client: &Client) -> (Result<(), ApiError>, bool) {
    let picture = match built_in_picture() {
        Ok(p) => p,
        Err(e) => {
            line("picture", &format!("FAILED · {e}"));
            return (Err(ApiError::Upload(e)), false);
        }
    };
    let started = Instant::now();
    let uploaded = client.upload_uncached(&picture).await;
    let uploads = client.capabilities().upload_image;
    let uploaded = match (uploads, uploaded) {
        (false, Ok(u)) => {
            line(
                "upload",
                "not needed: this provider takes the picture with every query",
            );
            u
        }
        (_, Ok(u)) => {
            let id = match &u.image {
                crate::api::ImageRef::Id(id) => sanitize(id),
                _ => String::new(),
            };
            line(
                "upload",
                &format!(
                    "ok · signed upload accepted, imageId {id} ({})",
                    took(started)
                ),
            );
            for note in &u.notes {
                line("", &sanitize(note));
            }
            u
        }
        (_, Err(e)) => {
            line("upload", &failed(&e));
            let refused = check_clock(client);
            return (Err(e), refused);
        }
    };
    let params = SearchParams {
        page_size: Some(1),
        ..SearchParams::default()
    };
    let started = Instant::now();
    let answer = client.search_page(&uploaded.image, &params, 1).await;
    let refused = check_clock(client);
    let outcome = match answer {
        Ok(page) => {
            line(
                "query",
                &format!(
                    "ok · signed query answered: {} offer(s) on page 1 of {} ({} in all) ({})",
                    page.offers.len(),
                    page.total_pages,
                    page.total_records,
                    took(started)
                ),
            );
            Ok(())
        }
        Err(e) => {
            line("query", &failed(&e));
            Err(e)
        }
    };
    (outcome, refused)
}

fn took(started: Instant) -> String {
    format!("{} ms", started.elapsed().as_millis())
}

/// "FAILED · <kind>: <provider's code and message>", sanitised.
fn failed(e: &ApiError) -> String {
    format!("FAILED · {}", sanitize(&e.to_string()))
}

/// A small picture of a yellow disc on blue, made here so the check needs no
/// file: the provider searches it like any photo.
fn built_in_picture() -> Result<PreparedImage, String> {
    const SIDE: u32 = 128;
    let img = image::RgbImage::from_fn(SIDE, SIDE, |x, y| {
        let (dx, dy) = (x as i64 - 64, y as i64 - 64);
        if dx * dx + dy * dy < 40 * 40 {
            image::Rgb([240, 200, 40])
        } else {
            image::Rgb([30, 60, 140])
        }
    });
    let mut png = Vec::new();
    img.write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
        .map_err(|e| format!("could not make the test picture: {e}"))?;
    crate::image::prepare(&png, &PrepareOptions::default())
        .map_err(|e| format!("could not prepare the test picture: {e}"))
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_built_in_picture_prepares() {
        let p = super::built_in_picture().unwrap();
        assert_eq!((p.width, p.height), (128, 128));
    }
}
