
use builtin;
use str;

set edit:completion:arg-completer[knead] = {|@words|
    fn spaces {|n|
        builtin:repeat $n ' ' | str:join ''
    }
    fn cand {|text desc|
        edit:complex-candidate $text &display=$text' '(spaces (- 14 (wcswidth $text)))$desc
    }
    var command = 'knead'
    for word $words[1..-1] {
        if (str:has-prefix $word '-') {
            break
        }
        set command = $command';'$word
    }
    var completions = [
        &'knead'= {
            cand --pack 'Use the content pack in this directory instead of the built-in one'
            cand --data-dir 'Keep the journal in this directory (default: $KNEAD_DATA_DIR, else the platform''s data directory)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
            cand start 'Screen, plan and guide a session, then record it in the journal'
            cand check 'Screen an intake for warning signs and print the result'
            cand plan 'Screen an intake and, if self-massage is allowed, print a session plan'
            cand techniques 'List the techniques with their steps and doses'
            cand learn 'Why the middle back hurts, how massage can help, and when to stop'
            cand log 'Record a session done without the guide'
            cand checkin 'Record the weekly check-in'
            cand history 'List your latest sessions (the last 30 unless asked for more)'
            cand progress 'Show pain over time, the change from the start, and any warning'
            cand export 'Write the journal as CSV, JSON or FHIR R4'
            cand import 'Take back a JSON export (all of it or nothing)'
            cand remind 'Write daily session reminders as an iCalendar file for a calendar app'
            cand serve 'Run the web app (for phones and browsers) until Ctrl-C'
            cand report 'Write a report for a clinician as a PDF (one or two A4 pages)'
            cand handout 'Write your home program to print, as a PDF: each step with its figure, the limits, and the warning signs that mean stop'
            cand admin 'Look after the accounts of `knead serve` (for its operator)'
            cand completions 'Print tab completion for your shell'
            cand man 'Print the manual page (roff) to standard output'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'knead;start'= {
            cand --time-scale 'Run the session clock this many times faster (for demos and tests)'
            cand --pack 'Use the content pack in this directory instead of the built-in one'
            cand --data-dir 'Keep the journal in this directory (default: $KNEAD_DATA_DIR, else the platform''s data directory)'
            cand --voice 'Speak the cues (needs espeak-ng)'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'knead;check'= {
            cand --intake 'Intake v1 as JSON; `-` reads standard input'
            cand --format '`text` for people, `json` for programs'
            cand --pack 'Use the content pack in this directory instead of the built-in one'
            cand --data-dir 'Keep the journal in this directory (default: $KNEAD_DATA_DIR, else the platform''s data directory)'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'knead;plan'= {
            cand --intake 'Intake v1 as JSON; `-` reads standard input'
            cand --format '`text` for people, `json` for programs'
            cand --pack 'Use the content pack in this directory instead of the built-in one'
            cand --data-dir 'Keep the journal in this directory (default: $KNEAD_DATA_DIR, else the platform''s data directory)'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'knead;techniques'= {
            cand --format '`text` for people, `json` for programs'
            cand --pack 'Use the content pack in this directory instead of the built-in one'
            cand --data-dir 'Keep the journal in this directory (default: $KNEAD_DATA_DIR, else the platform''s data directory)'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'knead;learn'= {
            cand --pack 'Use the content pack in this directory instead of the built-in one'
            cand --data-dir 'Keep the journal in this directory (default: $KNEAD_DATA_DIR, else the platform''s data directory)'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'knead;log'= {
            cand --technique 'hands, foam_roller or electric_massager'
            cand --minutes 'Minutes of massage (1 to 240)'
            cand --pain-before 'Pain before, 0-10'
            cand --pain-after 'Pain after, 0-10'
            cand --at 'When it began: `2026-11-24 18:30` (local) or RFC 3339; default now'
            cand --region 'left, right, centre or both_sides'
            cand --note 'A note'
            cand --pack 'Use the content pack in this directory instead of the built-in one'
            cand --data-dir 'Keep the journal in this directory (default: $KNEAD_DATA_DIR, else the platform''s data directory)'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'knead;checkin'= {
            cand --pain 'Pain over the last week, 0-10'
            cand --change 'Change since starting: -3 very much worse … 0 no change … 3 very much better'
            cand --pack 'Use the content pack in this directory instead of the built-in one'
            cand --data-dir 'Keep the journal in this directory (default: $KNEAD_DATA_DIR, else the platform''s data directory)'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'knead;history'= {
            cand --format '`text` for people, `json` or `csv` for programs (every session, unless --since or --limit)'
            cand --since 'Sessions from this day on (YYYY-MM-DD, your local day); all of them unless --limit is given too'
            cand --limit 'The newest N sessions (as text, 30 unless given)'
            cand --pack 'Use the content pack in this directory instead of the built-in one'
            cand --data-dir 'Keep the journal in this directory (default: $KNEAD_DATA_DIR, else the platform''s data directory)'
            cand --all 'Every session, however many'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'knead;progress'= {
            cand --days 'Days shown in the terminal chart'
            cand --png 'Also write the chart as a PNG image'
            cand --svg 'Also write the chart as an SVG image'
            cand --pack 'Use the content pack in this directory instead of the built-in one'
            cand --data-dir 'Keep the journal in this directory (default: $KNEAD_DATA_DIR, else the platform''s data directory)'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'knead;export'= {
            cand --format 'csv, json or fhir'
            cand -o 'Write here instead of standard output'
            cand --output 'Write here instead of standard output'
            cand --pack 'Use the content pack in this directory instead of the built-in one'
            cand --data-dir 'Keep the journal in this directory (default: $KNEAD_DATA_DIR, else the platform''s data directory)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'knead;import'= {
            cand --pack 'Use the content pack in this directory instead of the built-in one'
            cand --data-dir 'Keep the journal in this directory (default: $KNEAD_DATA_DIR, else the platform''s data directory)'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'knead;remind'= {
            cand --ics 'Write the reminders to this .ics file'
            cand --times 'Times of day, local, as HH:MM separated by commas (at most the pack''s sessions a day)'
            cand --days 'How many days the reminders repeat (1 to 365)'
            cand --start 'The first day, YYYY-MM-DD (default: today)'
            cand --pack 'Use the content pack in this directory instead of the built-in one'
            cand --data-dir 'Keep the journal in this directory (default: $KNEAD_DATA_DIR, else the platform''s data directory)'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'knead;serve'= {
            cand --addr 'Listen on this address and port'
            cand --database-url 'The database: sqlite://PATH or postgres://USER@HOST/DB (default: server.sqlite3 in the data folder)'
            cand --emergency-number 'The emergency number an emergency result offers to call with one tap (e.g. 999, 911)'
            cand --trusted-proxy 'A reverse proxy in front of Knead (an address or network, e.g. 10.0.0.5 or 10.0.0.0/8); repeat for more'
            cand --forwarded-header 'The header the trusted proxies write the client''s address into: x-forwarded-for or forwarded (RFC 7239)'
            cand --max-connections 'Serve at most this many connections at once; more wait until one ends'
            cand --header-timeout 'Close a connection that takes longer than this many seconds to send a request''s headers, or sits idle as long'
            cand --smtp-url 'Send e-mail through this mail server: smtp://HOST:587?tls=required, smtps://HOST:465, with USER:PASSWORD@ if needed'
            cand --mail-from 'The address Knead''s e-mail comes from, e.g. "Knead <knead@example.org>"'
            cand --public-url 'The address people reach this server at, for the links in its e-mail and to name it to push services, e.g. `https://knead.example.org`'
            cand --push-service 'Another push service to send to, by origin (e.g. `https://push.example.org`); repeat for more'
            cand --pack 'Use the content pack in this directory instead of the built-in one'
            cand --data-dir 'Keep the journal in this directory (default: $KNEAD_DATA_DIR, else the platform''s data directory)'
            cand --secure-cookies 'Mark cookies Secure: set this when people reach the server over HTTPS'
            cand --tell-taken-addresses 'Sign a new account in at once and tell sign-up when an address already has an account'
            cand --web-push 'Let people turn on notices on their phones and computers (Web Push), as well as or instead of e-mail'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'knead;report'= {
            cand --pdf 'Write the report to this .pdf file'
            cand --from 'The first day, YYYY-MM-DD (default: 27 days before --to)'
            cand --to 'The last day, YYYY-MM-DD (default: today)'
            cand --name 'Your name on the report (default: a blank line to fill in)'
            cand --pack 'Use the content pack in this directory instead of the built-in one'
            cand --data-dir 'Keep the journal in this directory (default: $KNEAD_DATA_DIR, else the platform''s data directory)'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'knead;handout'= {
            cand --pdf 'Write the handout to this .pdf file'
            cand --name 'Your name on the handout (default: a blank line to fill in)'
            cand --pack 'Use the content pack in this directory instead of the built-in one'
            cand --data-dir 'Keep the journal in this directory (default: $KNEAD_DATA_DIR, else the platform''s data directory)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'knead;admin'= {
            cand --pack 'Use the content pack in this directory instead of the built-in one'
            cand --data-dir 'Keep the journal in this directory (default: $KNEAD_DATA_DIR, else the platform''s data directory)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand reset-password 'Give the account at EMAIL a new random password and end every sign-in of theirs, for someone who forgot theirs'
            cand backup 'Copy the server''s SQLite database to a new FILE, while it runs'
            cand restore 'Put a backup FILE in place of the server''s SQLite database'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'knead;admin;reset-password'= {
            cand --database-url 'The server''s database, as for `knead serve` (default: server.sqlite3 in the data folder)'
            cand --pack 'Use the content pack in this directory instead of the built-in one'
            cand --data-dir 'Keep the journal in this directory (default: $KNEAD_DATA_DIR, else the platform''s data directory)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'knead;admin;backup'= {
            cand --database-url 'The server''s database, as for `knead serve` (default: server.sqlite3 in the data folder)'
            cand --pack 'Use the content pack in this directory instead of the built-in one'
            cand --data-dir 'Keep the journal in this directory (default: $KNEAD_DATA_DIR, else the platform''s data directory)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'knead;admin;restore'= {
            cand --database-url 'The server''s database, as for `knead serve` (default: server.sqlite3 in the data folder)'
            cand --pack 'Use the content pack in this directory instead of the built-in one'
            cand --data-dir 'Keep the journal in this directory (default: $KNEAD_DATA_DIR, else the platform''s data directory)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'knead;admin;help'= {
            cand reset-password 'Give the account at EMAIL a new random password and end every sign-in of theirs, for someone who forgot theirs'
            cand backup 'Copy the server''s SQLite database to a new FILE, while it runs'
            cand restore 'Put a backup FILE in place of the server''s SQLite database'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'knead;admin;help;reset-password'= {
        }
        &'knead;admin;help;backup'= {
        }
        &'knead;admin;help;restore'= {
        }
        &'knead;admin;help;help'= {
        }
        &'knead;completions'= {
            cand --pack 'Use the content pack in this directory instead of the built-in one'
            cand --data-dir 'Keep the journal in this directory (default: $KNEAD_DATA_DIR, else the platform''s data directory)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'knead;man'= {
            cand --dir 'Write knead.1 and a page for each command (knead-history.1, …) into this directory instead'
            cand --pack 'Use the content pack in this directory instead of the built-in one'
            cand --data-dir 'Keep the journal in this directory (default: $KNEAD_DATA_DIR, else the platform''s data directory)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'knead;help'= {
            cand start 'Screen, plan and guide a session, then record it in the journal'
            cand check 'Screen an intake for warning signs and print the result'
            cand plan 'Screen an intake and, if self-massage is allowed, print a session plan'
            cand techniques 'List the techniques with their steps and doses'
            cand learn 'Why the middle back hurts, how massage can help, and when to stop'
            cand log 'Record a session done without the guide'
            cand checkin 'Record the weekly check-in'
            cand history 'List your latest sessions (the last 30 unless asked for more)'
            cand progress 'Show pain over time, the change from the start, and any warning'
            cand export 'Write the journal as CSV, JSON or FHIR R4'
            cand import 'Take back a JSON export (all of it or nothing)'
            cand remind 'Write daily session reminders as an iCalendar file for a calendar app'
            cand serve 'Run the web app (for phones and browsers) until Ctrl-C'
            cand report 'Write a report for a clinician as a PDF (one or two A4 pages)'
            cand handout 'Write your home program to print, as a PDF: each step with its figure, the limits, and the warning signs that mean stop'
            cand admin 'Look after the accounts of `knead serve` (for its operator)'
            cand completions 'Print tab completion for your shell'
            cand man 'Print the manual page (roff) to standard output'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'knead;help;start'= {
        }
        &'knead;help;check'= {
        }
        &'knead;help;plan'= {
        }
        &'knead;help;techniques'= {
        }
        &'knead;help;learn'= {
        }
        &'knead;help;log'= {
        }
        &'knead;help;checkin'= {
        }
        &'knead;help;history'= {
        }
        &'knead;help;progress'= {
        }
        &'knead;help;export'= {
        }
        &'knead;help;import'= {
        }
        &'knead;help;remind'= {
        }
        &'knead;help;serve'= {
        }
        &'knead;help;report'= {
        }
        &'knead;help;handout'= {
        }
        &'knead;help;admin'= {
            cand reset-password 'Give the account at EMAIL a new random password and end every sign-in of theirs, for someone who forgot theirs'
            cand backup 'Copy the server''s SQLite database to a new FILE, while it runs'
            cand restore 'Put a backup FILE in place of the server''s SQLite database'
        }
        &'knead;help;admin;reset-password'= {
        }
        &'knead;help;admin;backup'= {
        }
        &'knead;help;admin;restore'= {
        }
        &'knead;help;completions'= {
        }
        &'knead;help;man'= {
        }
        &'knead;help;help'= {
        }
    ]
    $completions[$command]
}
