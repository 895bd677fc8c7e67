//! Any bytes as an intake: reading never panics, and an accepted intake
//! screens, plans (when permitted) and survives a JSON round trip.

#![no_main]

use knead_core::intake::Intake;
use knead_core::pack::ContentPack;
use knead_core::planner::{self, DayUsage, Kit};
use knead_core::screening;
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

fn pack() -> &'static ContentPack {
    static PACK: OnceLock<ContentPack> = OnceLock::new();
    PACK.get_or_init(|| ContentPack::builtin().expect("built-in pack"))
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let Ok(intake) = Intake::from_json(text) else { return };
    let again = Intake::from_json(&serde_json::to_string(&intake).expect("serialises")).expect("round trip");
    assert_eq!(intake, again);
    let result = screening::screen(pack(), &intake);
    if let Ok(permit) = result.permit() {
        let kit = Kit { equipment: intake.equipment.clone(), helper_available: intake.helper_available };
        if let Ok(plan) = planner::plan(pack(), &permit, &kit, &DayUsage::default()) {
            assert!(plan.items.iter().all(|i| result.techniques.allowed.contains(&i.technique)));
        }
    }
});
