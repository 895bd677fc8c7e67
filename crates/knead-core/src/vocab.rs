//! The closed vocabularies of intake v1 (shared/clinical/screening-rules.md §0).
//!
//! Each list in an intake draws from a fixed set of words. They are Rust
//! enums so that an unknown word is refused when the intake is read, and a
//! condition in the content pack can only name a word that exists.

use serde::{Deserialize, Serialize};

/// A closed set of words with a stable snake_case spelling.
pub trait Vocabulary: Copy + Ord + Sized + 'static {
    /// Every word, in declaration order.
    const ALL: &'static [Self];
    /// The word as written in JSON and in the content pack.
    fn as_str(self) -> &'static str;
    /// The word for a spelling, if there is one.
    fn parse(word: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|v| v.as_str() == word)
    }
    /// All spellings, comma-separated, for error messages.
    fn allowed() -> String {
        Self::ALL.iter().map(|v| v.as_str()).collect::<Vec<_>>().join(", ")
    }
}

macro_rules! vocabulary {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident => $word:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        pub enum $name {
            $($(#[$vmeta])* #[serde(rename = $word)] $variant),+
        }

        /// One of the words, as the API document describes it.
        #[cfg(feature = "openapi")]
        impl utoipa::PartialSchema for $name {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                utoipa::openapi::ObjectBuilder::new()
                    .schema_type(utoipa::openapi::schema::Type::String)
                    .enum_values(Some([$($word),+]))
                    .into()
            }
        }

        #[cfg(feature = "openapi")]
        impl utoipa::ToSchema for $name {}

        impl Vocabulary for $name {
            const ALL: &'static [Self] = &[$(Self::$variant),+];
            fn as_str(self) -> &'static str {
                match self { $(Self::$variant => $word),+ }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

vocabulary! {
    /// How the pain began (`pain.onset`).
    Onset {
        /// Came on over hours or days.
        Gradual => "gradual",
        /// Came on at once.
        Sudden => "sudden",
    }
}

vocabulary! {
    /// How the pain feels (`pain.character`).
    Character {
        /// Aching.
        Aching => "aching",
        /// Dull.
        Dull => "dull",
        /// Sharp.
        Sharp => "sharp",
        /// Stabbing.
        Stabbing => "stabbing",
        /// Burning.
        Burning => "burning",
        /// Tearing or ripping.
        Tearing => "tearing",
    }
}

vocabulary! {
    /// How the pain behaves (`pain.pattern`).
    Pattern {
        /// There all the time.
        Constant => "constant",
        /// Worse at night.
        WorseAtNight => "worse_at_night",
        /// Worse when lying down.
        WorseLyingDown => "worse_lying_down",
        /// Eases with rest.
        EasesWithRest => "eases_with_rest",
        /// Worse when moving.
        WorseWithMovement => "worse_with_movement",
        /// Worse when breathing in.
        WorseWithBreathing => "worse_with_breathing",
        /// Stiff in the morning.
        MorningStiffness => "morning_stiffness",
    }
}

vocabulary! {
    /// Where the pain spreads (`pain.radiates_to`).
    Radiation {
        /// The chest.
        Chest => "chest",
        /// An arm.
        Arm => "arm",
        /// The jaw.
        Jaw => "jaw",
        /// The belly.
        Abdomen => "abdomen",
        /// The side, under the ribs.
        Flank => "flank",
        /// The legs.
        Legs => "legs",
        /// Around the ribs.
        Ribs => "ribs",
    }
}

vocabulary! {
    /// Other symptoms now (`symptoms`).
    Symptom {
        /// Chest pain.
        ChestPain => "chest_pain",
        /// Short of breath.
        ShortnessOfBreath => "shortness_of_breath",
        /// Sweating.
        Sweating => "sweating",
        /// Feeling or being sick.
        NauseaVomiting => "nausea_vomiting",
        /// Light-headed or faint.
        Lightheaded => "lightheaded",
        /// A fever.
        Fever => "fever",
        /// Chills.
        Chills => "chills",
        /// Weight loss without trying.
        UnexplainedWeightLoss => "unexplained_weight_loss",
        /// Sweating at night.
        NightSweats => "night_sweats",
        /// Numb legs.
        LegNumbness => "leg_numbness",
        /// Weak legs.
        LegWeakness => "leg_weakness",
        /// Numb arm.
        ArmNumbness => "arm_numbness",
        /// Numb around the genitals or bottom.
        SaddleNumbness => "saddle_numbness",
        /// New bladder or bowel trouble.
        BladderOrBowelChange => "bladder_or_bowel_change",
        /// Unsteady on the feet.
        UnsteadyWalking => "unsteady_walking",
        /// A rash on the back.
        RashOnBack => "rash_on_back",
        /// Burning when passing urine.
        PainfulUrination => "painful_urination",
        /// Blood in the urine.
        BloodInUrine => "blood_in_urine",
        /// A cough.
        Cough => "cough",
    }
}

vocabulary! {
    /// Medical history (`history`).
    History {
        /// Cancer, now or in the past.
        Cancer => "cancer",
        /// Osteoporosis.
        Osteoporosis => "osteoporosis",
        /// Steroid tablets for a long time.
        LongTermSteroids => "long_term_steroids",
        /// Blood thinners.
        Anticoagulants => "anticoagulants",
        /// A bleeding disorder.
        BleedingDisorder => "bleeding_disorder",
        /// Pregnant.
        Pregnant => "pregnant",
        /// A pacemaker or other implant.
        PacemakerOrImplant => "pacemaker_or_implant",
        /// A blood clot in the past.
        BloodClot => "blood_clot",
        /// Back surgery recently.
        RecentBackSurgery => "recent_back_surgery",
        /// A weakened immune system.
        Immunosuppressed => "immunosuppressed",
        /// Injecting drugs.
        IvDrugUse => "iv_drug_use",
        /// Inflammatory arthritis.
        InflammatoryArthritis => "inflammatory_arthritis",
        /// A heart condition.
        HeartDisease => "heart_disease",
        /// Smokes.
        Smoker => "smoker",
        /// A recent infection.
        RecentInfection => "recent_infection",
        /// Reduced feeling (neuropathy).
        Neuropathy => "neuropathy",
        /// A spinal fusion or hardware.
        SpinalFusionOrHardware => "spinal_fusion_or_hardware",
    }
}

vocabulary! {
    /// The skin where the person wants to massage (`skin_at_site`).
    Skin {
        /// An open wound.
        OpenWound => "open_wound",
        /// A bruise.
        Bruise => "bruise",
        /// A rash.
        Rash => "rash",
        /// A burn.
        Burn => "burn",
        /// Red, swollen or warm.
        SwellingRednessWarmth => "swelling_redness_warmth",
    }
}

vocabulary! {
    /// What the person owns (`equipment`); hands need nothing.
    Equipment {
        /// A foam roller.
        FoamRoller => "foam_roller",
        /// A percussive massage gun.
        MassageGun => "massage_gun",
        /// A vibrating massager.
        VibratingMassager => "vibrating_massager",
    }
}

vocabulary! {
    /// The techniques the screening contract knows. A massage gun and a
    /// vibrating massager are both `electric_massager`.
    TechniqueId {
        /// A massage gun or vibrating massager.
        ElectricMassager => "electric_massager",
        /// A foam roller.
        FoamRoller => "foam_roller",
        /// The person's own knuckles.
        Hands => "hands",
    }
}

vocabulary! {
    /// The body position for a step.
    Position {
        /// Standing.
        Standing => "standing",
        /// Sitting.
        Sitting => "sitting",
        /// Lying on the back.
        LyingOnBack => "lying_on_back",
        /// Lying face down.
        LyingFaceDown => "lying_face_down",
        /// Whatever is comfortable.
        Any => "any",
    }
}

vocabulary! {
    /// What the screening tells the person to do. Declared from the least to
    /// the most severe, so `max` picks the most severe.
    Disposition {
        /// No warning signs: self-massage is fine.
        SelfCare => "self_care",
        /// Self-massage is fine, but some techniques are excluded.
        SelfCareWithLimits => "self_care_with_limits",
        /// Check with a doctor before starting.
        SeeDoctorFirst => "see_doctor_first",
        /// Get medical advice today.
        Urgent => "urgent",
        /// Call emergency services now.
        Emergency => "emergency",
    }
}

vocabulary! {
    /// Whether a way of doing a technique needs a second person.
    HelperNeed {
        /// One person can do it alone.
        None => "none",
        /// Someone else does the work.
        Required => "required",
    }
}

vocabulary! {
    /// Where the pain is, as the person points to it.
    Region {
        /// Left of the spine.
        Left => "left",
        /// Right of the spine.
        Right => "right",
        /// In the middle, over the spine.
        Centre => "centre",
        /// On both sides.
        BothSides => "both_sides",
    }
}

impl Equipment {
    /// The thing's name in a sentence ("a foam roller").
    pub fn described(self) -> &'static str {
        match self {
            Equipment::FoamRoller => "a foam roller",
            Equipment::MassageGun => "a massage gun",
            Equipment::VibratingMassager => "a vibrating massager",
        }
    }
}
