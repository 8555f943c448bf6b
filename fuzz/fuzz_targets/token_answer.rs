#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    presently_fuzz_checks::auth::token_answer(data);
});
