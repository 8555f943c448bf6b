//! The Windows executable's icon and version resource (build-support/windows_resource.rs).

#[path = "../../build-support/windows_resource.rs"]
mod windows_resource;

fn main() -> Result<(), String> {
    windows_resource::embed("presently", "Presently command line")
}
