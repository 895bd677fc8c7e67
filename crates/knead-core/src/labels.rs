//! The screening's words in plain language, as the questionnaires (terminal and web) show them.

use crate::vocab::{Character, Equipment, History, Pattern, Radiation, Region, Skin, Symptom};

/// A plain-language label for a screening word.
pub trait Label {
    /// The label.
    fn label(self) -> &'static str;
}

impl Label for Character {
    fn label(self) -> &'static str {
        match self {
            Character::Aching => "Aching",
            Character::Dull => "Dull",
            Character::Sharp => "Sharp",
            Character::Stabbing => "Stabbing",
            Character::Burning => "Burning",
            Character::Tearing => "Tearing or ripping",
        }
    }
}

impl Label for Pattern {
    fn label(self) -> &'static str {
        match self {
            Pattern::Constant => "There all the time, whatever I do",
            Pattern::WorseAtNight => "Worse at night",
            Pattern::WorseLyingDown => "Worse when I lie down",
            Pattern::EasesWithRest => "Eases when I rest",
            Pattern::WorseWithMovement => "Worse when I move",
            Pattern::WorseWithBreathing => "Worse when I breathe in deeply",
            Pattern::MorningStiffness => "Stiff in the morning",
        }
    }
}

impl Label for Radiation {
    fn label(self) -> &'static str {
        match self {
            Radiation::Chest => "Into the chest",
            Radiation::Arm => "Down an arm",
            Radiation::Jaw => "Into the jaw",
            Radiation::Abdomen => "Into the belly",
            Radiation::Flank => "Into the side, under the ribs",
            Radiation::Legs => "Down the legs",
            Radiation::Ribs => "Around the ribs, like a band",
        }
    }
}

impl Label for Symptom {
    fn label(self) -> &'static str {
        match self {
            Symptom::ChestPain => "Chest pain or pressure",
            Symptom::ShortnessOfBreath => "Short of breath",
            Symptom::Sweating => "Sweating, cold or clammy",
            Symptom::NauseaVomiting => "Feeling sick or being sick",
            Symptom::Lightheaded => "Light-headed, dizzy or faint",
            Symptom::Fever => "A fever (high temperature)",
            Symptom::Chills => "Chills or shivering",
            Symptom::UnexplainedWeightLoss => "Losing weight without trying",
            Symptom::NightSweats => "Sweating heavily at night",
            Symptom::LegNumbness => "Numbness or pins and needles in the legs",
            Symptom::LegWeakness => "Weak legs",
            Symptom::ArmNumbness => "Numbness or pins and needles in an arm",
            Symptom::SaddleNumbness => "Numbness around the genitals or bottom",
            Symptom::BladderOrBowelChange => "New trouble peeing, or with bladder or bowel control",
            Symptom::UnsteadyWalking => "Unsteady when walking",
            Symptom::RashOnBack => "A rash on the back",
            Symptom::PainfulUrination => "Burning or pain when peeing",
            Symptom::BloodInUrine => "Blood in the urine",
            Symptom::Cough => "A cough",
        }
    }
}

impl Label for History {
    fn label(self) -> &'static str {
        match self {
            History::Cancer => "Cancer, now or in the past",
            History::Osteoporosis => "Osteoporosis (thin, fragile bones)",
            History::LongTermSteroids => "Steroid tablets for 3 months or more",
            History::Anticoagulants => "Blood thinners (e.g. warfarin, apixaban)",
            History::BleedingDisorder => "A bleeding disorder",
            History::Pregnant => "Pregnant",
            History::PacemakerOrImplant => "A pacemaker, defibrillator or other implant",
            History::BloodClot => "A blood clot (DVT or in the lung)",
            History::RecentBackSurgery => "Back surgery in the last few months",
            History::Immunosuppressed => "A weakened immune system (illness or medicine)",
            History::IvDrugUse => "Injecting drugs",
            History::InflammatoryArthritis => "Inflammatory arthritis (e.g. ankylosing spondylitis)",
            History::HeartDisease => "A heart condition",
            History::Smoker => "I smoke",
            History::RecentInfection => "An infection in the last few weeks",
            History::Neuropathy => "Reduced feeling in the skin (neuropathy)",
            History::SpinalFusionOrHardware => "A spinal fusion, rods or screws",
        }
    }
}

impl Label for Skin {
    fn label(self) -> &'static str {
        match self {
            Skin::OpenWound => "An open wound or cut",
            Skin::Bruise => "A bruise",
            Skin::Rash => "A rash",
            Skin::Burn => "A burn",
            Skin::SwellingRednessWarmth => "A red, swollen or warm patch",
        }
    }
}

impl Label for Equipment {
    fn label(self) -> &'static str {
        match self {
            Equipment::FoamRoller => "A foam roller",
            Equipment::MassageGun => "A massage gun",
            Equipment::VibratingMassager => "A vibrating massager",
        }
    }
}

impl Label for Region {
    fn label(self) -> &'static str {
        match self {
            Region::Left => "Left of the spine",
            Region::Right => "Right of the spine",
            Region::Centre => "In the middle",
            Region::BothSides => "Both sides",
        }
    }
}

/// The global rating of change (-3 to +3) in words.
pub fn change(value: i8) -> &'static str {
    match value {
        ..=-3 => "very much worse",
        -2 => "much worse",
        -1 => "a little worse",
        0 => "no change",
        1 => "a little better",
        2 => "much better",
        3.. => "very much better",
    }
}
