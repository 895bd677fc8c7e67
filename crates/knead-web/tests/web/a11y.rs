//! Accessibility: the pages promise WCAG 2.2 AA, and this holds them to it.
//!
//! A patient and a clinician walk through the main pages in headless
//! Chromium (the helpers of `browser`). On each page axe-core audits the
//! document against the rules tagged WCAG 2.0, 2.1 and 2.2 A and AA, at a
//! desktop's size and a phone's, and on the phone in the dark colour scheme
//! too (the stylesheet promises AA contrast in both); the test fails listing
//! every violation by page, view and rule, with the failing elements and
//! axe's advice.
//!
//! axe-core is test tooling from the npm registry, pinned in `tools/a11y`
//! and installed by `bash .ci/deps`; without it the test fails, since an
//! audit that quietly does not run would read as a pass. It is injected with
//! WebDriver's execute-script, which Chromium runs outside the page's
//! Content-Security-Policy: the pages' `script-src 'self'` would refuse the
//! same code in an inline `<script>`.
//!
//! Two promises axe cannot check are checked here too: every control
//! reached with Tab shows a focus ring (an outline, not a colour change),
//! and nothing that can be focused is left out of the Tab order; and the
//! guided session's live region speaks when a step changes, not at every
//! tick of its timer.

use super::browser::Notices;
use super::browser::{
    Server, answer, browser, click, fill, fixture_notifying, free_port, shot, sign_up, sign_up_clinician,
    viewport, wait_for,
};
use fantoccini::actions::{InputSource, KeyAction, KeyActions};
use fantoccini::key::Key;
use fantoccini::{Client, Locator};
use knead_app::push::PushServices;
use knead_web::push::PushSettings;
use serde_json::{Value, json};
use std::fmt::Write as _;
use std::path::PathBuf;

/// How each page is seen: a desktop window, a small phone (360×640) and a
/// common one (390×844), each in the light and the dark colour scheme. The
/// common phone's light view comes last: it is the one the browser helpers
/// open with, and the tests go on in it.
const VIEWS: [(&str, u32, u32, bool); 6] = [
    ("desktop", 1280, 800, false),
    ("desktop-dark", 1280, 800, true),
    ("small-phone-dark", 360, 640, true),
    ("small-phone", 360, 640, false),
    ("phone-dark", 390, 844, true),
    ("phone", 390, 844, false),
];

/// Show the page in the dark colour scheme (`arguments[0]`) or back in the
/// light one. WebDriver cannot ask for the scheme, so the stylesheet's dark
/// rule is switched on by hand, and the browser's own parts (form controls,
/// scroll bars) follow `color-scheme`.
const SCHEME: &str = r"
const dark = arguments[0];
const query = '(prefers-color-scheme: dark)';
window.__kneadDark ||= [...document.styleSheets]
  .flatMap((sheet) => [...sheet.cssRules])
  .filter((rule) => rule instanceof CSSMediaRule && rule.conditionText === query);
for (const rule of window.__kneadDark) rule.media.mediaText = dark ? 'all' : query;
document.documentElement.style.colorScheme = dark ? 'dark' : '';
return window.__kneadDark.length;
";

/// How far the page scrolls sideways, and the innermost elements that
/// reach past the right edge outside a box of their own that scrolls (to
/// say what to fix).
const REFLOW: &str = r"
const boxed = (e) => {
  for (let up = e.parentElement; up && up !== document.body; up = up.parentElement) {
    if (getComputedStyle(up).overflowX !== 'visible') return true;
  }
  return false;
};
const past = [...document.body.querySelectorAll('*')]
  .filter((e) => e.getBoundingClientRect().right > innerWidth + 0.5 && !boxed(e))
  .filter((e) => ![...e.children].some((c) => c.getBoundingClientRect().right > innerWidth + 0.5))
  .slice(0, 4)
  .map((e) => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + (e.className ? '.' + e.className : ''));
return { wide: document.scrollingElement.scrollWidth - innerWidth, past };
";

/// axe's tags for WCAG 2.0, 2.1 and 2.2, levels A and AA. Transitions end
/// first: a colour caught halfway (a button just pressed) is no finding.
const RUN: &str = r"
const done = arguments[arguments.length - 1];
Promise.all(document.getAnimations().map((a) => a.finished.catch(() => null)))
  .then(() => axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] } }))
  .then((r) => done({
    passes: r.passes.length,
    violations: r.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.map((n) => ({ target: n.target.join(' '), summary: n.failureSummary })),
    })),
  }))
  .catch((e) => done({ error: String(e) }));
";

/// Tab through the page, noting for each element that takes focus whether
/// a ring shows: an outline at least 2px wide, or a box-shadow it did not
/// have before. Then list what can be focused but was never reached (a
/// radio group is one stop: any of its buttons counts for all).
const TAB_START: &str = r"
const focusable = 'a[href], button, input:not([type=hidden]), select, textarea, summary, [tabindex]:not([tabindex=\'-1\'])';
const shown = (el) => !el.disabled && !el.closest('[inert], [hidden]') && el.getClientRects().length > 0;
const before = new Map();
for (const el of document.querySelectorAll(focusable)) before.set(el, getComputedStyle(el).boxShadow);
window.__kneadTab = { reached: [], ringed: new Set() };
document.addEventListener('focusin', (e) => {
  const el = e.target;
  if (el.matches('[tabindex=\'-1\']')) return; // a heading the page moved focus to, not a control
  const s = getComputedStyle(el);
  const outline = s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2;
  const shadow = s.boxShadow !== 'none' && s.boxShadow !== before.get(el);
  window.__kneadTab.reached.push(el);
  if (outline || shadow) window.__kneadTab.ringed.add(el);
});
window.__kneadTab.name = (el) => el.id ? `#${el.id}` : `${el.tagName.toLowerCase()} “${(el.textContent || el.value || el.name || '').trim().slice(0, 40)}”`;
window.__kneadTab.missed = () => {
  const reached = new Set(window.__kneadTab.reached);
  const groups = new Set(window.__kneadTab.reached.filter((el) => el.type === 'radio').map((el) => el.name));
  return [...document.querySelectorAll(focusable)]
    .filter(shown)
    .filter((el) => !reached.has(el) && !(el.type === 'radio' && groups.has(el.name)));
};
document.activeElement && document.activeElement.blur();
return [...document.querySelectorAll(focusable)].filter(shown).length;
";

/// A control is without a ring when it never showed one: Tab goes round
/// the page twice, and once in a while, on a loaded machine, Chromium
/// does not count one press as the keyboard's (no `:focus-visible`); a
/// control that lacks a ring lacks it every time.
const TAB_END: &str = r"
const t = window.__kneadTab;
const bare = [...new Set(t.reached)].filter((el) => !t.ringed.has(el));
return { rings: bare.map(t.name), missed: t.missed().map(t.name) };
";

/// Watch the session's announcer and its timer for `arguments[0]` real
/// milliseconds: what the live region said, and how often the timer changed.
const LISTEN: &str = r"
const [ms, done] = arguments;
const said = [];
let ticks = 0;
const announcer = document.getElementById('announce');
const timer = document.getElementById('timer');
const watch = { childList: true, characterData: true, subtree: true };
const a = new MutationObserver(() => { if (announcer.textContent) said.push(announcer.textContent); });
const t = new MutationObserver(() => { ticks += 1; });
a.observe(announcer, watch);
t.observe(timer, watch);
const live = '[aria-live]:not([aria-live=off]), [role=status], [role=alert], [role=log], [role=marquee]';
const timerInLive = timer.closest(live) !== null;
setTimeout(() => { a.disconnect(); t.disconnect(); done({ said, ticks, timerInLive }); }, ms);
";

/// The audit of one walk through the pages: what was found, page by page.
struct Audit {
    axe: String,
    found: String,
}

impl Audit {
    /// Reads axe-core; fails, never skips, when it is not installed.
    fn new() -> Audit {
        let file = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../../tools/a11y/node_modules/axe-core/axe.min.js");
        let axe = std::fs::read_to_string(&file).unwrap_or_else(|e| {
            panic!("axe-core is missing ({}: {e}): run `bash .ci/deps` to install it", file.display())
        });
        Audit { axe, found: String::new() }
    }

    /// Audit the page the browser shows in each view, and Tab through it.
    async fn page(&mut self, client: &Client, name: &str) {
        let path = client.current_url().await.unwrap().path().to_owned();
        for (view, width, height, dark) in VIEWS {
            viewport(client, width, height).await;
            let rules = client.execute(SCHEME, vec![json!(dark)]).await.unwrap();
            assert_ne!(rules, json!(0), "no dark colour scheme in the stylesheet of {name} ({path})");
            self.axe(client, name, &path, view).await;
            self.reflow(client, name, &path, view, width).await;
            shot(client, &format!("a11y-{name}-{view}")).await;
        }
        self.keyboard(client, name, &path).await;
    }

    async fn axe(&mut self, client: &Client, name: &str, path: &str, view: &str) {
        if client.execute("return typeof window.axe", vec![]).await.unwrap() != json!("object") {
            client.execute(&self.axe, vec![]).await.unwrap();
        }
        let result = client.execute_async(RUN, vec![]).await.unwrap();
        assert!(result["error"].is_null(), "axe failed on {name} ({path}): {}", result["error"]);
        assert!(result["passes"].as_u64().unwrap() > 0, "axe checked nothing on {name} ({path}): {result}");
        for v in result["violations"].as_array().unwrap() {
            let _ = writeln!(
                self.found,
                "{name} ({path}, {view}): {} [{}] {}",
                text(&v["id"]),
                text(&v["impact"]),
                text(&v["help"])
            );
            for node in v["nodes"].as_array().unwrap() {
                let summary = text(&node["summary"]).replace('\n', " ");
                let _ = writeln!(self.found, "    {}: {summary}", text(&node["target"]));
            }
        }
    }

    /// WCAG 1.4.10 (reflow): the page itself never scrolls sideways; a
    /// wide table scrolls in its own box, and the rest stays put.
    async fn reflow(&mut self, client: &Client, name: &str, path: &str, view: &str, width: u32) {
        let seen = client.execute(REFLOW, vec![]).await.unwrap();
        let wide = seen["wide"].as_i64().unwrap();
        if wide > 0 {
            let _ = writeln!(
                self.found,
                "{name} ({path}, {view}): scrolls sideways by {wide} px at {width} px wide: {}",
                seen["past"]
            );
        }
    }

    /// Tab through every stop on the page with real key presses (a ring
    /// shows for the keyboard, not for a click). Twice as many presses as
    /// controls: a time or date field is a stop for each of its parts.
    async fn keyboard(&mut self, client: &Client, name: &str, path: &str) {
        let controls = client.execute(TAB_START, vec![]).await.unwrap().as_u64().unwrap();
        let mut tabs = KeyActions::new("keyboard".to_owned());
        for _ in 0..2 * controls + 2 {
            tabs = tabs
                .then(KeyAction::Down { value: Key::Tab.into() })
                .then(KeyAction::Up { value: Key::Tab.into() });
        }
        client.perform_actions(tabs).await.unwrap();
        let seen = client.execute(TAB_END, vec![]).await.unwrap();
        for (what, list) in [("no visible focus", &seen["rings"]), ("not reached with Tab", &seen["missed"])]
        {
            let list: Vec<&str> = list.as_array().unwrap().iter().map(text).collect();
            if !list.is_empty() {
                let _ = writeln!(self.found, "{name} ({path}, keyboard): {what}: {}", list.join(", "));
            }
        }
    }

    fn finish(self) {
        assert!(self.found.is_empty(), "accessibility problems:\n{}", self.found);
    }
}

fn text(v: &Value) -> &str {
    v.as_str().unwrap_or("?")
}

/// While a step runs, its live region must not speak every second: the
/// timer is outside every live region, and over four real seconds (40 of
/// the session's, sped up: two or three steps begin) the announcer speaks
/// at most a third as often as the timer changes. The timer wakes at least
/// every 250 ms, so even a busy machine sees a dozen changes.
async fn check_announcements(client: &Client) {
    let heard = client.execute_async(LISTEN, vec![json!(4000)]).await.unwrap();
    let said: Vec<&str> = heard["said"].as_array().unwrap().iter().map(text).collect();
    let ticks = heard["ticks"].as_u64().unwrap();
    assert_eq!(
        heard["timerInLive"],
        json!(false),
        "the timer sits in a live region: every tick would be read"
    );
    assert!(ticks >= 12, "the timer should have changed about 40 times: {ticks}");
    assert!(said.len() * 3 <= usize::try_from(ticks).unwrap(), "announced {said:?} over {ticks} ticks");
    assert!(
        said.iter().all(|s| !s.chars().all(|c| c.is_ascii_digit() || c == ':')),
        "the announcer read the clock: {said:?}"
    );
}

async fn goto(client: &Client, server: &Server, path: &str) {
    client.goto(&server.url(path)).await.unwrap();
    wait_for(client, "main").await;
}

/// A patient's pages from signing up to sharing, then a clinician's.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_main_page_meets_wcag_2_2_aa() {
    let mut audit = Audit::new();
    // A server that sends mail (to a port nothing listens on: the mail
    // waits), so that the pages of mailed links and their forms show, and
    // pushes, so that the account page offers notices on the device.
    let f = fixture_notifying(Notices {
        mail: Some(super::mail::settings(free_port())),
        push: Some(PushSettings::new(PushServices::default(), "https://knead.test").unwrap()),
    })
    .await;
    let (c, server) = (&f.client, &f.server);

    goto(c, server, "/").await;
    // axe arrives through WebDriver's execute-script: the same code as an
    // inline script is refused by the page's policy, so axe running at all
    // shows that execute-script is not held to it.
    let inline = c
        .execute(
            "const s = document.createElement('script'); s.textContent = 'window.__inline = 1'; \
             document.head.append(s); return window.__inline === 1;",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(inline, json!(false), "the page's Content-Security-Policy should refuse inline scripts");
    audit.page(c, "welcome").await;
    goto(c, server, "/signin").await;
    fill(c, "#email", "nobody@example.org").await;
    fill(c, "#password", "not the password").await;
    click(c, "#submit").await;
    wait_for(c, ".problem").await;
    audit.page(c, "sign-in-refused").await;
    goto(c, server, "/signup").await;
    audit.page(c, "sign-up").await;
    goto(c, server, "/forgot-password").await;
    audit.page(c, "forgot-password").await;
    fill(c, "#email", "nobody@example.org").await;
    click(c, "#submit").await;
    wait_for(c, "#outcome").await;
    audit.page(c, "forgot-password-sent").await;
    goto(c, server, "/reset-password?token=unknown").await;
    audit.page(c, "reset-password").await;
    fill(c, "#new-password", "a quiet harbour at dawn").await;
    click(c, "#submit").await;
    wait_for(c, ".problem").await;
    audit.page(c, "reset-password-refused").await;
    goto(c, server, "/confirm-email?token=unknown").await;
    audit.page(c, "confirm-email").await;

    sign_up(c, server, "ana@example.org").await;
    audit.page(c, "check").await;
    answer(c, &["jaw"]).await;
    audit.page(c, "result-emergency").await;
    answer(c, &["recent_back_surgery"]).await;
    audit.page(c, "result-see-doctor-first").await;
    // The latest day allowed (typing into a date field depends on the
    // browser's locale); spaces pass the browser's `required` and are
    // refused by the server.
    c.execute("const on = document.getElementById('on'); on.value = on.max;", vec![]).await.unwrap();
    fill(c, "#by", "   ").await;
    click(c, "#record-clearance").await;
    wait_for(c, "#clearance-error").await;
    audit.page(c, "result-clearance-refused").await;
    fill(c, "#by", "Dr Lee, my GP").await;
    click(c, "#record-clearance").await;
    wait_for(c, "#make-plan").await;
    audit.page(c, "result-cleared").await;
    answer(c, &[]).await;
    audit.page(c, "result-self-care").await;
    click(c, "input[name='equipment'][value='foam_roller']").await;
    click(c, "#make-plan").await;
    wait_for(c, "#start").await;
    audit.page(c, "plan").await;
    goto(c, server, "/learn").await;
    audit.page(c, "learn").await;
    c.back().await.unwrap();
    wait_for(c, "#start").await;

    click(c, "#start").await;
    wait_for(c, "#pain-before-4").await;
    // Ten times faster: a step changes within seconds, the timer ticks ten
    // times a second, and the audit still finds the step running.
    c.execute(
        "localStorage.setItem('knead-time-scale', '10'); localStorage.setItem('knead-voice', 'off');",
        vec![],
    )
    .await
    .unwrap();
    c.refresh().await.unwrap();
    click(c, "#pain-before-4").await;
    audit.page(c, "session-before").await;
    click(c, "#start-session").await;
    wait_for(c, "#timer").await;
    check_announcements(c).await;
    audit.page(c, "session-running").await;
    click(c, "#stop").await;
    wait_for(c, "#stop-confirm").await;
    audit.page(c, "session-stop").await;
    click(c, "#stop-confirm").await;
    wait_for(c, "#pain-after-2").await;
    // Stopped in the foam roller, which has nothing to switch off.
    assert!(c.find(Locator::Css("#closing-first")).await.is_err(), "no switch-off note after the roller");
    audit.page(c, "session-after").await;
    click(c, "#pain-after-2").await;
    click(c, "#save").await;
    wait_for(c, "#saved").await;
    audit.page(c, "session-saved").await;

    goto(c, server, "/history").await;
    audit.page(c, "history").await;
    goto(c, server, "/progress").await;
    audit.page(c, "progress").await;
    goto(c, server, "/checkin").await;
    audit.page(c, "checkin").await;
    fill(c, "#week_pain", "3").await;
    click(c, "#checkin button[type='submit']").await;
    wait_for(c, "main p[role='status']").await;
    audit.page(c, "checkin-saved").await;
    goto(c, server, "/").await;
    audit.page(c, "home").await;
    goto(c, server, "/sharing").await;
    click(c, "#invite").await;
    let code = wait_for(c, "#invitation-code").await.text().await.unwrap();
    audit.page(c, "sharing-invitation").await;

    // The clinician: an empty list, the invitation's page, the record, the list.
    let (_driver, clinician) = browser().await;
    sign_up_clinician(&clinician, server, "dr.ito@example.org").await;
    audit.page(&clinician, "clinic-empty").await;
    goto(&clinician, server, &format!("/invite/{code}")).await;
    audit.page(&clinician, "invitation").await;
    click(&clinician, "#accept").await;
    wait_for(&clinician, "#assign").await;
    audit.page(&clinician, "clinic-patient").await;
    click(&clinician, "#assign input[value='hands']").await;
    click(&clinician, "#assign button[type='submit']").await;
    wait_for(&clinician, ".steps img.figure").await;
    audit.page(&clinician, "clinic-patient-program").await;
    click(&clinician, "#screenings-caption ~ tbody a").await;
    wait_for(&clinician, "#answers-caption").await;
    audit.page(&clinician, "clinic-screening").await;
    goto(&clinician, server, "/clinic").await;
    wait_for(&clinician, "#patients").await;
    audit.page(&clinician, "clinic-patients").await;
    goto(&clinician, server, "/clinic/patients/00000000-0000-0000-0000-000000000000").await;
    audit.page(&clinician, "not-found").await;

    // Back to the patient: who has access, and who looked.
    goto(c, server, "/sharing").await;
    wait_for(c, "#audit").await;
    audit.page(c, "sharing-access").await;
    goto(c, server, "/account").await;
    wait_for(c, "#erase").await;
    audit.page(c, "account").await;

    clinician.close().await.unwrap();
    c.clone().close().await.unwrap();
    audit.finish();
}
