//! The Windows executable's icon and version resource (build-support/windows_resource.rs).

#[path = "../../build-support/windows_resource.rs"]
mod windows_resource;

fn main() -> Result<(), String> {
    windows_resource::embed(
        "presently-emulator",
        "Presently's emulator of Microsoft sign-in and Graph presence",
    )
}
