//! End-to-end: the real binary in a pseudo-terminal against the demo.

use tusou::sim::{SimConfig, catalog_image, catalog_offer_ids};

/// Writes a few catalog pictures into `$DUMP_DIR` (manual testing).
#[test]
#[ignore]
fn dump_catalog_images() {
    let Some(dir) = std::env::var_os("DUMP_DIR") else {
        return;
    };
    let config = SimConfig::default();
    for (i, id) in catalog_offer_ids(&config, 5).iter().enumerate() {
        let bytes = catalog_image(&config, id).expect("catalog image");
        std::fs::write(
            std::path::Path::new(&dir).join(format!("product{i}.jpg")),
            bytes,
        )
        .expect("write");
    }
}
