//! Every rule of shared/clinical/screening-rules.md §3, each with a case
//! that just matches and a near miss that just doesn't, and the cut-offs of
//! §1.8 on both sides.

use crate::support::{pack, rule_ids, screen};
use knead_core::vocab::{Disposition, TechniqueId};
use serde_json::{Value, json};

/// (rule, an intake patch that matches it, a near miss that does not).
fn cases() -> Vec<(&'static str, Value, Value)> {
    vec![
        ("EM-01", json!({"symptoms": ["chest_pain"]}), json!({"symptoms": ["cough"]})),
        ("EM-01", json!({"pain": {"radiates_to": ["jaw"]}}), json!({"pain": {"radiates_to": ["ribs"]}})),
        ("EM-01", json!({"pain": {"radiates_to": ["chest"]}}), json!({"pain": {"radiates_to": ["flank"]}})),
        (
            "EM-02",
            json!({"symptoms": ["sweating", "nausea_vomiting"]}),
            json!({"symptoms": ["sweating", "cough"]}),
        ),
        (
            "EM-03",
            json!({"history": ["heart_disease"], "symptoms": ["nausea_vomiting"]}),
            json!({"history": ["heart_disease"], "symptoms": ["cough"]}),
        ),
        (
            "EM-03",
            json!({"pain": {"radiates_to": ["arm"]}, "symptoms": ["lightheaded"]}),
            json!({"pain": {"radiates_to": ["legs"]}, "symptoms": ["lightheaded"]}),
        ),
        (
            "EM-04",
            json!({"pain": {"character": ["tearing"], "intensity": 7}}),
            json!({"pain": {"character": ["tearing"], "intensity": 6}}),
        ),
        (
            "EM-04",
            json!({"pain": {"character": ["tearing"], "onset": "sudden"}}),
            json!({"pain": {"character": ["tearing"], "onset": "gradual"}}),
        ),
        (
            "EM-05",
            json!({"pain": {"onset": "sudden", "intensity": 7, "radiates_to": ["abdomen"]}}),
            json!({"pain": {"onset": "sudden", "intensity": 6, "radiates_to": ["abdomen"]}}),
        ),
        (
            "EM-05",
            json!({"pain": {"onset": "sudden", "intensity": 8}, "symptoms": ["leg_numbness"]}),
            json!({"pain": {"onset": "gradual", "intensity": 8}, "symptoms": ["leg_numbness"]}),
        ),
        (
            "EM-06",
            json!({"pain": {"onset": "sudden"}, "symptoms": ["lightheaded"]}),
            json!({"pain": {"onset": "gradual"}, "symptoms": ["lightheaded"]}),
        ),
        (
            "EM-07",
            json!({"symptoms": ["shortness_of_breath"], "pain": {"pattern": ["worse_with_breathing"]}}),
            json!({"symptoms": ["shortness_of_breath"], "pain": {"pattern": ["worse_with_movement"]}}),
        ),
        (
            "EM-07",
            json!({"symptoms": ["shortness_of_breath"], "history": ["blood_clot"]}),
            json!({"symptoms": ["cough"], "history": ["blood_clot"]}),
        ),
        (
            "EM-07",
            json!({"symptoms": ["shortness_of_breath"], "pain": {"after_trauma": true}}),
            json!({"symptoms": ["shortness_of_breath"], "pain": {"after_trauma": false}}),
        ),
        ("EM-08", json!({"symptoms": ["saddle_numbness"]}), json!({"symptoms": ["leg_numbness"]})),
        (
            "EM-08",
            json!({"symptoms": ["bladder_or_bowel_change"]}),
            json!({"symptoms": ["painful_urination"]}),
        ),
        ("EM-09", json!({"symptoms": ["unsteady_walking"]}), json!({"symptoms": ["arm_numbness"]})),
        (
            "EM-10",
            json!({"pain": {"after_trauma": true}, "symptoms": ["arm_numbness"]}),
            json!({"pain": {"after_trauma": false}, "symptoms": ["arm_numbness"]}),
        ),
        (
            "EM-11",
            json!({"history": ["cancer"], "symptoms": ["arm_numbness"]}),
            json!({"history": ["osteoporosis"], "symptoms": ["arm_numbness"]}),
        ),
        ("UR-01", json!({"symptoms": ["chills"]}), json!({"symptoms": ["night_sweats"]})),
        ("UR-02", json!({"symptoms": ["unexplained_weight_loss"]}), json!({"symptoms": []})),
        ("UR-03", json!({"history": ["cancer"]}), json!({"history": ["smoker"]})),
        (
            "UR-04",
            json!({"history": ["immunosuppressed"], "pain": {"pattern": ["worse_at_night"]}}),
            json!({"history": ["immunosuppressed"], "pain": {"pattern": ["morning_stiffness"]}}),
        ),
        (
            "UR-04",
            json!({"history": ["recent_back_surgery"], "pain": {"intensity": 7}}),
            json!({"history": ["recent_back_surgery"], "pain": {"intensity": 6}}),
        ),
        (
            "UR-04",
            json!({"history": ["iv_drug_use"], "symptoms": ["night_sweats"]}),
            json!({"history": ["smoker"], "symptoms": ["night_sweats"]}),
        ),
        (
            "UR-05",
            json!({"pain": {"after_trauma": true}, "age_years": 65}),
            json!({"pain": {"after_trauma": true}, "age_years": 64}),
        ),
        (
            "UR-05",
            json!({"pain": {"after_trauma": true}, "history": ["inflammatory_arthritis"]}),
            json!({"pain": {"after_trauma": false}, "history": ["inflammatory_arthritis"]}),
        ),
        (
            "UR-05",
            json!({"pain": {"after_trauma": true, "intensity": 7}}),
            json!({"pain": {"after_trauma": true, "intensity": 6}}),
        ),
        (
            "UR-06",
            json!({"history": ["long_term_steroids"], "pain": {"onset": "sudden"}}),
            json!({"history": ["long_term_steroids"], "pain": {"onset": "gradual"}}),
        ),
        ("UR-07", json!({"symptoms": ["leg_numbness"]}), json!({"symptoms": ["arm_numbness"]})),
        ("UR-08", json!({"symptoms": ["sweating"]}), json!({"symptoms": ["nausea_vomiting"]})),
        (
            "UR-09",
            json!({"pain": {"onset": "sudden", "intensity": 7}}),
            json!({"pain": {"onset": "sudden", "intensity": 7, "pattern": ["worse_with_movement"]}}),
        ),
        (
            "UR-09",
            json!({"pain": {"onset": "sudden", "intensity": 7}}),
            json!({"pain": {"onset": "sudden", "intensity": 7, "after_trauma": true}}),
        ),
        ("UR-10", json!({"symptoms": ["blood_in_urine"]}), json!({"symptoms": ["painful_urination"]})),
        (
            "UR-11",
            json!({"symptoms": ["painful_urination"], "pain": {"radiates_to": ["flank"]}}),
            json!({"symptoms": ["painful_urination"], "pain": {"radiates_to": ["ribs"]}}),
        ),
        (
            "UR-12",
            json!({"symptoms": ["nausea_vomiting"], "pain": {"radiates_to": ["abdomen"]}}),
            json!({"symptoms": ["cough"], "pain": {"radiates_to": ["abdomen"]}}),
        ),
        (
            "UR-13",
            json!({"history": ["pregnant"], "symptoms": ["nausea_vomiting"]}),
            json!({"history": ["pregnant"], "symptoms": ["cough"]}),
        ),
        ("UR-14", json!({"skin_at_site": ["rash"]}), json!({"skin_at_site": ["bruise"]})),
        ("UR-14", json!({"symptoms": ["rash_on_back"]}), json!({"symptoms": []})),
        ("UR-15", json!({"skin_at_site": ["swelling_redness_warmth"]}), json!({"skin_at_site": ["burn"]})),
        (
            "UR-16",
            json!({"history": ["heart_disease"], "pain": {"radiates_to": ["arm"]}}),
            json!({"history": ["heart_disease"], "pain": {"radiates_to": ["ribs"]}}),
        ),
        ("SD-01", json!({"pain": {"intensity": 7}}), json!({"pain": {"intensity": 6}})),
        ("SD-02", json!({"pain": {"duration_days": 43}}), json!({"pain": {"duration_days": 42}})),
        ("SD-03", json!({"pain": {"character": ["stabbing"]}}), json!({"pain": {"character": ["dull"]}})),
        (
            "SD-04",
            json!({"pain": {"pattern": ["worse_lying_down"]}}),
            json!({"pain": {"pattern": ["constant"]}}),
        ),
        (
            "SD-05",
            json!({"age_years": 50, "pain": {"pattern": ["constant"]}}),
            json!({"age_years": 49, "pain": {"pattern": ["constant"]}}),
        ),
        (
            "SD-05",
            json!({"age_years": 50, "pain": {"duration_days": 29}}),
            json!({"age_years": 50, "pain": {"duration_days": 28}}),
        ),
        ("SD-06", json!({"history": ["iv_drug_use"]}), json!({"history": ["recent_infection"]})),
        (
            "SD-07",
            json!({"history": ["recent_back_surgery"]}),
            json!({"history": ["spinal_fusion_or_hardware"]}),
        ),
        ("SD-08", json!({"pain": {"after_trauma": true}}), json!({"pain": {"after_trauma": false}})),
        ("SD-09", json!({"age_years": 15}), json!({"age_years": 16})),
        ("SD-10", json!({"pain": {"radiates_to": ["legs"]}}), json!({"pain": {"radiates_to": ["flank"]}})),
        ("SD-10", json!({"symptoms": ["arm_numbness"]}), json!({"symptoms": []})),
        ("SD-11", json!({"symptoms": ["painful_urination"]}), json!({"symptoms": ["cough"]})),
        ("SD-11", json!({"pain": {"radiates_to": ["abdomen"]}}), json!({"pain": {"radiates_to": ["flank"]}})),
        ("SD-12", json!({"pain": {"pattern": ["worse_with_breathing"]}}), json!({"pain": {"pattern": []}})),
        ("SD-13", json!({"symptoms": ["night_sweats"]}), json!({"symptoms": []})),
        ("SD-14", json!({"pain": {"character": ["tearing"]}}), json!({"pain": {"character": ["burning"]}})),
        (
            "SD-15",
            json!({"pain": {"character": ["burning"], "radiates_to": ["ribs"]}}),
            json!({"pain": {"character": ["burning"], "radiates_to": []}}),
        ),
        (
            "SD-16",
            json!({"age_years": 44, "pain": {"pattern": ["morning_stiffness"], "duration_days": 91}}),
            json!({"age_years": 44, "pain": {"pattern": ["morning_stiffness"], "duration_days": 90}}),
        ),
        (
            "SD-16",
            json!({"age_years": 44, "pain": {"pattern": ["morning_stiffness"], "duration_days": 91}}),
            json!({"age_years": 45, "pain": {"pattern": ["morning_stiffness"], "duration_days": 91}}),
        ),
        ("LIM-01", json!({"history": ["anticoagulants"]}), json!({"history": ["smoker"]})),
        ("LIM-02", json!({"history": ["bleeding_disorder"]}), json!({"history": []})),
        ("LIM-03", json!({"history": ["osteoporosis"]}), json!({"history": []})),
        ("LIM-04", json!({"history": ["long_term_steroids"]}), json!({"history": []})),
        ("LIM-05", json!({"history": ["pregnant"]}), json!({"history": []})),
        ("LIM-06", json!({"history": ["pacemaker_or_implant"]}), json!({"history": []})),
        ("LIM-07", json!({"history": ["blood_clot"]}), json!({"history": []})),
        ("LIM-08", json!({"history": ["neuropathy"]}), json!({"history": []})),
        ("LIM-09", json!({"history": ["spinal_fusion_or_hardware"]}), json!({"history": []})),
        ("LIM-10", json!({"skin_at_site": ["open_wound"]}), json!({"skin_at_site": []})),
        ("LIM-11", json!({"age_years": 17}), json!({"age_years": 18})),
        ("LIM-11", json!({"age_years": 16}), json!({"age_years": 15})),
    ]
}

#[test]
fn every_rule_matches_its_case_and_not_its_near_miss() {
    let mut failures = Vec::new();
    for (rule, hit, miss) in cases() {
        let on = screen(hit.clone());
        if !rule_ids(&on).contains(&rule) {
            failures.push(format!("{rule} did not match {hit}: got {:?}", rule_ids(&on)));
        }
        let off = screen(miss.clone());
        if rule_ids(&off).contains(&rule) {
            failures.push(format!("{rule} matched the near miss {miss}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn every_rule_in_the_pack_is_tested() {
    let tested: std::collections::BTreeSet<_> = cases().into_iter().map(|c| c.0).collect();
    let missing: Vec<_> = pack()
        .screening
        .rules
        .iter()
        .map(|r| r.id.clone())
        .filter(|id| !tested.contains(id.as_str()))
        .collect();
    assert!(missing.is_empty(), "rules without a boundary case: {missing:?}");
}

#[test]
fn the_base_intake_is_self_care() {
    let result = screen(json!({}));
    assert_eq!(result.disposition, Disposition::SelfCare);
    assert!(result.reasons.is_empty());
    assert_eq!(result.techniques.allowed.len(), 3);
}

#[test]
fn modifiers_alone_do_not_trigger() {
    // §3.5: risk modifiers that deliberately do not trigger on their own.
    for patch in [
        json!({"history": ["smoker", "heart_disease", "inflammatory_arthritis", "recent_infection"]}),
        json!({"symptoms": ["cough"], "pain": {"character": ["burning"], "pattern": ["constant"]}}),
        json!({"pain": {"onset": "sudden", "intensity": 6, "radiates_to": ["ribs", "flank"]}}),
        json!({"pain": {"pattern": ["morning_stiffness"], "duration_days": 40}}),
        json!({"age_years": 64}),
    ] {
        assert_eq!(screen(patch.clone()).disposition, Disposition::SelfCare, "{patch}");
    }
}

#[test]
fn tearing_that_is_an_emergency_is_not_also_doctor_first() {
    let ids = rule_ids(&screen(json!({"pain": {"character": ["tearing"], "onset": "sudden"}}))).join(" ");
    assert!(ids.contains("EM-04") && !ids.contains("SD-14"), "{ids}");
}

#[test]
fn most_severe_first_and_headlines() {
    let r = screen(
        json!({"symptoms": ["chest_pain", "fever"], "pain": {"intensity": 8}, "history": ["anticoagulants"]}),
    );
    assert_eq!(r.disposition, Disposition::Emergency);
    let ds: Vec<_> = r.reasons.iter().map(|x| x.disposition).collect();
    let mut sorted = ds.clone();
    sorted.sort_by(|a, b| b.cmp(a));
    assert_eq!(ds, sorted);
    assert!(r.headline.contains("emergency services") && r.headline.contains("Do not drive"));
    assert!(r.techniques.allowed.is_empty());
    // Exclusions are kept for later, even above self-care.
    assert_eq!(r.techniques.excluded.len(), 2);
    for reason in &r.reasons {
        match reason.disposition {
            Disposition::Urgent => assert!(reason.message.contains("today"), "{}", reason.message),
            Disposition::SeeDoctorFirst => assert!(reason.message.contains("doctor"), "{}", reason.message),
            Disposition::Emergency => assert!(reason.message.contains("emergency"), "{}", reason.message),
            _ => {}
        }
    }
}

#[test]
fn clearance_lifts_doctor_first_only() {
    let cleared = screen(json!({"pain": {"duration_days": 60}, "clinician_cleared": true}));
    assert_eq!(cleared.disposition, Disposition::SelfCare);
    assert!(cleared.cleared_by_clinician);
    assert_eq!(rule_ids(&cleared), ["SD-02"], "lifted rules stay among the reasons");
    assert!(cleared.headline.contains("clinician"));

    let with_limits = screen(
        json!({"pain": {"duration_days": 60}, "history": ["osteoporosis"], "clinician_cleared": true}),
    );
    assert_eq!(with_limits.disposition, Disposition::SelfCareWithLimits);
    assert!(with_limits.cleared_by_clinician);

    let urgent =
        screen(json!({"symptoms": ["fever"], "pain": {"duration_days": 60}, "clinician_cleared": true}));
    assert_eq!(urgent.disposition, Disposition::Urgent);
    assert!(!urgent.cleared_by_clinician);
    assert!(urgent.permit().is_err());

    let nothing_to_lift = screen(json!({"clinician_cleared": true}));
    assert_eq!(nothing_to_lift.disposition, Disposition::SelfCare);
    assert!(!nothing_to_lift.cleared_by_clinician);
}

#[test]
fn exclusions_follow_the_person_not_the_equipment() {
    let r = screen(json!({"history": ["pacemaker_or_implant"], "equipment": ["foam_roller"]}));
    assert_eq!(r.disposition, Disposition::SelfCareWithLimits);
    assert_eq!(r.techniques.excluded.len(), 1);
    assert_eq!(r.techniques.excluded[0].technique, TechniqueId::ElectricMassager);
    assert_eq!(r.techniques.allowed, [TechniqueId::FoamRoller, TechniqueId::Hands]);
}

#[test]
fn exclusions_are_unioned_with_their_rules() {
    let r = screen(json!({"history": ["anticoagulants", "neuropathy"]}));
    let massager =
        r.techniques.excluded.iter().find(|e| e.technique == TechniqueId::ElectricMassager).unwrap();
    assert_eq!(massager.rules, ["LIM-01", "LIM-08"]);
    assert_eq!(r.techniques.allowed, [TechniqueId::Hands]);
}

#[test]
fn a_helper_changes_wording_only() {
    let alone = screen(json!({"symptoms": ["chest_pain"]}));
    let helped = screen(json!({"symptoms": ["chest_pain"], "helper_available": true}));
    assert_eq!(alone.disposition, helped.disposition);
    assert_ne!(alone.headline, helped.headline);
    assert!(helped.headline.starts_with(&alone.headline));
}

/// UR-09 fires on sudden, severe pain with no injury that movement does not
/// make worse: its words may say that and no more (they once said the pain
/// "started at rest and doesn't change with movement", which nobody was asked).
#[test]
fn the_sudden_severe_pain_message_claims_only_what_was_answered() {
    let result = screen(json!({"pain": {"onset": "sudden", "intensity": 8, "pattern": ["constant"]}}));
    let reason = result.reasons.iter().find(|r| r.rule == "UR-09").expect("UR-09 fires");
    let words = reason.detail.to_lowercase();
    for claim in ["at rest", "doesn't change", "does not change"] {
        assert!(!words.contains(claim), "UR-09 says {claim:?}, which was not asked: {words}");
    }
    for said in ["sudden", "injury", "move", "today"] {
        assert!(words.contains(said), "UR-09 should say {said:?}: {words}");
    }
}
