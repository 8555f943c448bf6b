//! Shared by the build scripts of `presently` (crates/cli) and `presently-emulator` (crates/emulator), included with
//! `#[path]` so neither crate depends on the other: gives the Windows executable the app's icon and a version
//! resource (Explorer's Properties > Details), as tauri-build does for `presently-app`. Compiled with MinGW's
//! windres or Microsoft's rc.exe through `embed-resource`; nothing happens for other targets.

use std::path::PathBuf;

/// Embeds the icon and version resource into the binary `bin`, described as `description`.
pub fn embed(bin: &str, description: &str) -> Result<(), String> {
    let manifest = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").map_err(|e| e.to_string())?);
    let icon = manifest.join("../../icons/icon.ico");
    println!("cargo:rerun-if-changed={}", icon.display());
    println!("cargo:rerun-if-changed=../../build-support/windows_resource.rs");
    if std::env::var("CARGO_CFG_TARGET_OS").as_deref() != Ok("windows") {
        return Ok(());
    }
    let version = std::env::var("CARGO_PKG_VERSION").map_err(|e| e.to_string())?;
    let numbers: Vec<u16> = version
        .split(['.', '-', '+'])
        .take(3)
        .map(|n| n.parse().unwrap_or(0))
        .collect();
    let [major, minor, patch] = [0, 1, 2].map(|i| numbers.get(i).copied().unwrap_or(0));
    // Forward slashes: both windres and rc.exe take them, and no escaping is needed in the string.
    let icon = icon.display().to_string().replace('\\', "/");
    let rc = format!(
        r#"#include <winver.h>
1 ICON "{icon}"
1 VERSIONINFO
FILEVERSION {major},{minor},{patch},0
PRODUCTVERSION {major},{minor},{patch},0
FILEOS VOS_NT_WINDOWS32
FILETYPE VFT_APP
BEGIN
  BLOCK "StringFileInfo"
  BEGIN
    BLOCK "040904B0"
    BEGIN
      VALUE "FileDescription", "{description}"
      VALUE "FileVersion", "{version}"
      VALUE "InternalName", "{bin}"
      VALUE "OriginalFilename", "{bin}.exe"
      VALUE "ProductName", "Presently"
      VALUE "ProductVersion", "{version}"
    END
  END
  BLOCK "VarFileInfo"
  BEGIN
    VALUE "Translation", 0x409, 1200
  END
END
"#
    );
    let out = PathBuf::from(std::env::var("OUT_DIR").map_err(|e| e.to_string())?).join(format!("{bin}.rc"));
    std::fs::write(&out, rc).map_err(|e| format!("cannot write {}: {e}", out.display()))?;
    embed_resource::compile_for(&out, [bin], embed_resource::NONE)
        .manifest_required()
        .map_err(|e| format!("the Windows resources of {bin}.exe: {e}"))
}
