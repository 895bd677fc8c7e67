//! The pack loader: the built-in pack loads, and a broken pack is refused
//! with an error that points at the file, the line and the field.

use knead_core::pack::{ContentPack, PackError, builtin_sources};
use knead_core::vocab::TechniqueId;

/// The built-in pack with `from` replaced by `to` in `file` (which must contain it).
pub(crate) fn broken(file: &str, from: &str, to: &str) -> PackError {
    let sources = builtin_sources();
    let texts: Vec<(&str, String)> = sources
        .iter()
        .map(|(name, text)| {
            if *name == file {
                assert!(text.contains(from), "{file} contains {from:?}");
                (*name, text.replacen(from, to, 1))
            } else {
                (*name, (*text).to_owned())
            }
        })
        .collect();
    let borrowed: Vec<(&str, &str)> = texts.iter().map(|(n, t)| (*n, t.as_str())).collect();
    ContentPack::load(&borrowed).expect_err("the broken pack is refused")
}

pub(crate) fn line_of(file: &str, needle: &str) -> usize {
    let text = builtin_sources().iter().find(|(n, _)| *n == file).unwrap().1;
    text[..text.find(needle).unwrap()].matches('\n').count() + 1
}

#[test]
fn builtin_pack_loads_with_every_technique() {
    let pack = ContentPack::builtin().unwrap();
    assert_eq!(pack.techniques.len(), 3);
    for id in [TechniqueId::Hands, TechniqueId::FoamRoller, TechniqueId::ElectricMassager] {
        assert_eq!(pack.technique(id).id, id);
    }
    assert_eq!(pack.screening.rules.len(), 54);
    let roller = pack.technique(TechniqueId::FoamRoller);
    assert_eq!(roller.doses.bout_max_seconds.as_ref().unwrap().value, 30);
    let massager = pack.technique(TechniqueId::ElectricMassager);
    assert_eq!(massager.doses.session_max_seconds.value, 600);
    assert_eq!(massager.doses.ramp_seconds.as_ref().map(|r| (r.min, r.max)), Some((60, 120)));
}

#[test]
fn unknown_rule_reference() {
    let e = broken("screening.toml", "not rule EM-04", "not rule EM-99");
    assert_eq!((e.file.as_str(), e.field.as_str()), ("screening.toml", "rules[40].when"));
    assert_eq!(e.line, line_of("screening.toml", "not rule EM-04"));
    assert!(e.message.contains("unknown rule `EM-99`"), "{}", e.message);
}

#[test]
fn later_rule_reference() {
    let e = broken(
        "screening.toml",
        "when = \"symptoms has chest_pain",
        "when = \"rule SD-01 or symptoms has chest_pain",
    );
    assert!(e.message.contains("comes later"), "{}", e.message);
}

#[test]
fn unknown_field_in_condition_points_at_the_word() {
    let e = broken("screening.toml", "history has cancer\"", "histroy has cancer\"");
    assert_eq!(e.field, "rules[13].when");
    assert!(e.message.contains("unknown field `histroy`"), "{}", e.message);
    assert_eq!(e.line, line_of("screening.toml", "history has cancer\""));
    assert_eq!(e.column, "when = \"".len() + 1);
}

#[test]
fn unknown_list_value_in_condition() {
    let e = broken("screening.toml", "symptoms has unexplained_weight_loss", "symptoms has weight_loss");
    assert!(e.message.contains("unknown value `weight_loss` for symptoms; allowed:"), "{}", e.message);
}

#[test]
fn forbidden_field_in_condition() {
    let e = broken("screening.toml", "history has cancer\"", "equipment has foam_roller\"");
    assert!(e.message.contains("never changes a disposition"), "{}", e.message);
}

#[test]
fn syntax_error_in_condition() {
    let e = broken("screening.toml", "pain.intensity >= 7\"", "pain.intensity >= \"");
    assert!(e.message.contains("ends too early"), "{}", e.message);
}

#[test]
fn hands_may_not_be_excluded() {
    let e = broken("screening.toml", "excludes = [\"electric_massager\"]", "excludes = [\"hands\"]");
    assert!(e.field.ends_with(".excludes") && e.message.contains("hands"), "{e}");
}

#[test]
fn unknown_technique_in_a_rule() {
    let e = broken("screening.toml", "excludes = [\"electric_massager\"]", "excludes = [\"massage_chair\"]");
    assert!(e.message.contains("massage_chair"), "{e}");
    assert!(e.field.contains("excludes"), "{e}");
}

#[test]
fn dose_without_source() {
    let e = broken(
        "doses.toml",
        "bout_max_seconds = { value = 30, source = \"Source article: roll back and forth 'for up to 30 seconds'.\" }",
        "bout_max_seconds = { value = 30 }",
    );
    assert_eq!(e.file, "doses.toml");
    assert!(e.message.contains("missing field `source`"), "{e}");
    assert!(e.field.contains("bout_max_seconds"), "{e}");
}

#[test]
fn empty_source() {
    let e = broken(
        "doses.toml",
        "source = \"Source article: use 'for up to 10 minutes at a time'.\"",
        "source = \" \"",
    );
    assert_eq!(e.field, "techniques.electric_massager.session_max_seconds.source");
}

#[test]
fn bout_longer_than_its_limit() {
    let e = broken("techniques.toml", "work_seconds = 30", "work_seconds = 45");
    assert_eq!(e.file, "techniques.toml");
    assert!(e.message.contains("longer than the limit of 30 seconds"), "{e}");
    assert_eq!(e.line, line_of("techniques.toml", "work_seconds = 30"));
}

#[test]
fn steps_longer_than_the_session_limit() {
    let e =
        broken("techniques.toml", "seconds = { min = 180, max = 360 }", "seconds = { min = 180, max = 900 }");
    assert!(e.message.contains("session limit of 600 seconds"), "{e}");
}

#[test]
fn ramp_outside_its_dose() {
    let e = broken(
        "techniques.toml",
        "ramp = true\nseconds = { min = 60, max = 120 }",
        "ramp = true\nseconds = 20",
    );
    assert!(e.message.contains("between 60 and 120 seconds"), "{e}");
}

#[test]
fn unknown_technique_in_doses() {
    let e = broken("doses.toml", "[techniques.hands]", "[techniques.feet]");
    assert!(e.message.contains("unknown technique `feet`"), "{e}");
    assert_eq!(e.line, line_of("doses.toml", "[techniques.hands]"));
}

#[test]
fn unknown_key_in_a_step() {
    let e = broken("techniques.toml", "id = \"stand-tall\"", "id = \"stand-tall\"\ncolour = \"red\"");
    assert!(e.message.contains("unknown field `colour`"), "{e}");
    assert!(e.field.starts_with("techniques[0].variants[0].steps[0]"), "{e}");
}

#[test]
fn malformed_toml() {
    let e = broken("escalation.toml", "[worsening]", "[worsening");
    assert_eq!(e.file, "escalation.toml");
    assert!(e.line >= 1);
}

#[test]
fn missing_file() {
    let sources: Vec<_> = builtin_sources().into_iter().filter(|(n, _)| *n != "doses.toml").collect();
    let e = ContentPack::load(&sources).unwrap_err();
    assert_eq!(e.file, "doses.toml");
    assert!(e.message.contains("missing"));
}

#[test]
fn duplicate_rule_id() {
    let e = broken("screening.toml", "id = \"EM-02\"", "id = \"EM-01\"");
    assert!(e.message.contains("defined twice"), "{e}");
}

#[test]
fn display_names_file_line_and_field() {
    let e = broken("techniques.toml", "work_seconds = 30", "work_seconds = 45");
    let shown = e.to_string();
    assert!(shown.starts_with(&format!("techniques.toml:{}:", e.line)), "{shown}");
    assert!(shown.contains("techniques[1].variants[0].steps[2]"), "{shown}");
}

/// `adjust` marked closing is not the last step, and with `switch-off` it
/// makes two closing steps: one rule refuses both.
#[test]
fn a_closing_step_that_is_not_last_is_refused() {
    let from = "id = \"adjust\"\nposition = \"sitting\"";
    let e = broken("techniques.toml", from, &format!("{from}\nclosing = true"));
    assert_eq!(e.file, "techniques.toml");
    assert_eq!(e.field, "techniques[2].variants[0].steps[3].closing", "{e}");
    assert!(e.message.contains("only a variant's last step can be its closing step"), "{e}");
    assert_eq!(e.line, line_of("techniques.toml", from) + 2);
}

#[test]
fn a_closing_step_is_not_massage() {
    let from = "id = \"get-up\"\nposition = \"lying_on_back\"\nseconds = 15";
    let to = "id = \"get-up\"\nposition = \"lying_on_back\"\nclosing = true\nbouts = { count = 1, work_seconds = 15, rest_seconds = 0 }";
    let e = broken("techniques.toml", from, to);
    assert_eq!(e.field, "techniques[1].variants[0].steps[3].closing", "{e}");
    assert!(e.message.contains("not `bouts`"), "{e}");
}

#[test]
fn the_massager_variants_close_by_switching_it_off() {
    let pack = ContentPack::builtin().unwrap();
    for variant in &pack.technique(TechniqueId::ElectricMassager).variants {
        let closing: Vec<_> = variant.steps.iter().filter(|s| s.closing).map(|s| s.id.as_str()).collect();
        assert_eq!(closing, ["switch-off"], "{}", variant.id);
        assert!(variant.steps.last().unwrap().closing);
        assert_eq!(variant.steps.last().unwrap().work_seconds(), (0, 0));
    }
}

/// The built-in pack with a figure's text replaced (or the figure left out
/// when `to` is `None`).
fn broken_figure(figure: &str, to: Option<&str>) -> PackError {
    let sources = builtin_sources();
    assert!(sources.iter().any(|(n, _)| *n == figure), "the pack has {figure}");
    let files: Vec<(&str, &str)> = sources
        .iter()
        .filter_map(|&(name, text)| if name == figure { to.map(|t| (name, t)) } else { Some((name, text)) })
        .collect();
    ContentPack::load(&files).expect_err("the broken pack is refused")
}

const KNEAD_FIGURE: &str = "figures/hands-knead.svg";

fn with_inside(inside: &str) -> String {
    let svg = builtin_sources().into_iter().find(|(n, _)| *n == KNEAD_FIGURE).unwrap().1;
    svg.replacen("</svg>", &format!("{inside}\n</svg>"), 1)
}

#[test]
fn every_step_has_a_figure_with_words_and_a_licence() {
    let pack = ContentPack::builtin().unwrap();
    for technique in &pack.techniques {
        for variant in &technique.variants {
            for step in &variant.steps {
                let svg = pack.figure(&step.figure.file).unwrap_or_else(|| panic!("{}", step.figure.file));
                assert!(svg.contains("viewBox") && svg.len() < 8 * 1024, "{}", step.figure.file);
                assert!(step.figure.alt.len() > 20 && !step.figure.licence.is_empty());
            }
        }
    }
}

#[test]
fn a_missing_figure_names_the_step() {
    let e = broken_figure(KNEAD_FIGURE, None);
    assert_eq!(
        (e.file.as_str(), e.field.as_str()),
        ("techniques.toml", "techniques[0].variants[0].steps[2].figure.file")
    );
    assert!(e.message.contains("`figures/hands-knead.svg` is not in the pack"), "{e}");
    assert!(e.message.contains("step `knead` of `hands`"), "{e}");
    assert_eq!(e.line, line_of("techniques.toml", "file = \"figures/hands-knead.svg\""));
}

#[test]
fn a_step_without_a_figure_is_refused() {
    let text = builtin_sources().into_iter().find(|(n, _)| *n == "techniques.toml").unwrap().1;
    let start =
        text.find("[techniques.variants.steps.figure]\nfile = \"figures/hands-stand-tall.svg\"").unwrap();
    let end = start + text[start..].find("licence = ").unwrap();
    let end = end + text[end..].find('\n').unwrap();
    let e = broken("techniques.toml", &text[start..end], "");
    assert_eq!(e.field, "techniques[0].variants[0].steps[0].figure", "{e}");
    assert!(
        e.message.contains("step `stand-tall` of `hands` (alone) has no figure; every step needs one"),
        "{e}"
    );
    assert_eq!(e.line, line_of("techniques.toml", "id = \"stand-tall\""));
}

#[test]
fn a_figure_no_step_shows_is_refused() {
    let svg = builtin_sources().into_iter().find(|(n, _)| *n == KNEAD_FIGURE).unwrap().1;
    let mut files = builtin_sources();
    files.push(("figures/spare.svg", svg));
    let e = ContentPack::load(&files).unwrap_err();
    assert_eq!(e.file, "figures/spare.svg");
    assert!(e.message.contains("no step shows this figure"), "{e}");
}

#[test]
fn a_figure_with_a_script_is_refused() {
    let svg = with_inside("<script>alert(1)</script>");
    let e = broken_figure(KNEAD_FIGURE, Some(&svg));
    assert_eq!(
        (e.file.as_str(), e.field.as_str()),
        (KNEAD_FIGURE, "techniques[0].variants[0].steps[2].figure")
    );
    assert!(e.message.contains("step `knead` of `hands`"), "{e}");
    assert!(e.message.contains("`<script>` is not allowed in a figure; allowed elements: svg, g"), "{e}");
    assert_eq!(e.line, svg.lines().position(|l| l.contains("<script>")).unwrap() + 1);
}

#[test]
fn a_figure_with_an_event_handler_is_refused() {
    let svg = builtin_sources().into_iter().find(|(n, _)| *n == KNEAD_FIGURE).unwrap().1;
    let svg = svg.replacen("<svg ", "<svg onload=\"alert(1)\" ", 1);
    let e = broken_figure(KNEAD_FIGURE, Some(&svg));
    assert!(e.message.contains("`onload` is an event handler"), "{e}");
    assert_eq!(e.line, 1);
}

#[test]
fn a_figure_that_reaches_outside_itself_is_refused() {
    for (inside, says) in [
        ("<use href=\"https://example.invalid/a.svg#x\"/>", "points outside the figure"),
        ("<use xmlns:x=\"http://www.w3.org/1999/xlink\" x:href=\"data:image/svg+xml,x\"/>", "points outside"),
        ("<rect fill=\"url(https://example.invalid/p)\"/>", "only `url(#id)`"),
        ("<rect style=\"fill: url( 'data:x' )\"/>", "only `url(#id)`"),
        (
            "<foreignObject><p xmlns=\"http://www.w3.org/1999/xhtml\">hi</p></foreignObject>",
            "`<foreignObject>` is not allowed",
        ),
        ("<image href=\"#a\"/>", "`<image>` is not allowed"),
        ("<?xml-stylesheet href=\"x.css\"?>", "processing instructions"),
    ] {
        let e = broken_figure(KNEAD_FIGURE, Some(&with_inside(inside)));
        assert!(e.message.contains(says), "{inside}: {e}");
    }
    let fine = with_inside("<use href=\"#arrow\"/><rect fill=\"url(#arrow)\"/>");
    let mut files = builtin_sources();
    files.iter_mut().find(|(n, _)| *n == KNEAD_FIGURE).unwrap().1 = &fine;
    ContentPack::load(&files).expect("references inside the figure are fine");
}

#[test]
fn a_figure_that_is_not_svg_is_refused() {
    for (text, says) in [
        ("<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 1 1\">", "not well-formed XML"),
        (
            "<!DOCTYPE svg [<!ENTITY a \"b\">]><svg xmlns=\"http://www.w3.org/2000/svg\"/>",
            "not well-formed XML",
        ),
        ("<svg viewBox=\"0 0 1 1\"/>", "SVG namespace"),
        ("<svg xmlns=\"http://www.w3.org/2000/svg\"/>", "needs a `viewBox`"),
    ] {
        let e = broken_figure(KNEAD_FIGURE, Some(text));
        assert!(e.message.contains(says), "{text}: {e}");
    }
    let e = broken("techniques.toml", "file = \"figures/hands-knead.svg\"", "file = \"../hands-knead.svg\"");
    assert!(e.message.contains("allowed: `figures/NAME.svg`"), "{e}");
}
