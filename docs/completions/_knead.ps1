
using namespace System.Management.Automation
using namespace System.Management.Automation.Language

Register-ArgumentCompleter -Native -CommandName 'knead' -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)

    $commandElements = $commandAst.CommandElements
    $command = @(
        'knead'
        for ($i = 1; $i -lt $commandElements.Count; $i++) {
            $element = $commandElements[$i]
            if ($element -isnot [StringConstantExpressionAst] -or
                $element.StringConstantType -ne [StringConstantType]::BareWord -or
                $element.Value.StartsWith('-') -or
                $element.Value -eq $wordToComplete) {
                break
        }
        $element.Value
    }) -join ';'

    $completions = @(switch ($command) {
        'knead' {
            [CompletionResult]::new('--pack', '--pack', [CompletionResultType]::ParameterName, 'Use the content pack in this directory instead of the built-in one')
            [CompletionResult]::new('--data-dir', '--data-dir', [CompletionResultType]::ParameterName, 'Keep the journal in this directory (default: $KNEAD_DATA_DIR, else the platform''s data directory)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('start', 'start', [CompletionResultType]::ParameterValue, 'Screen, plan and guide a session, then record it in the journal')
            [CompletionResult]::new('check', 'check', [CompletionResultType]::ParameterValue, 'Screen an intake for warning signs and print the result')
            [CompletionResult]::new('plan', 'plan', [CompletionResultType]::ParameterValue, 'Screen an intake and, if self-massage is allowed, print a session plan')
            [CompletionResult]::new('techniques', 'techniques', [CompletionResultType]::ParameterValue, 'List the techniques with their steps and doses')
            [CompletionResult]::new('learn', 'learn', [CompletionResultType]::ParameterValue, 'Why the middle back hurts, how massage can help, and when to stop')
            [CompletionResult]::new('log', 'log', [CompletionResultType]::ParameterValue, 'Record a session done without the guide')
            [CompletionResult]::new('checkin', 'checkin', [CompletionResultType]::ParameterValue, 'Record the weekly check-in')
            [CompletionResult]::new('history', 'history', [CompletionResultType]::ParameterValue, 'List your latest sessions (the last 30 unless asked for more)')
            [CompletionResult]::new('progress', 'progress', [CompletionResultType]::ParameterValue, 'Show pain over time, the change from the start, and any warning')
            [CompletionResult]::new('export', 'export', [CompletionResultType]::ParameterValue, 'Write the journal as CSV, JSON or FHIR R4')
            [CompletionResult]::new('import', 'import', [CompletionResultType]::ParameterValue, 'Take back a JSON export (all of it or nothing)')
            [CompletionResult]::new('remind', 'remind', [CompletionResultType]::ParameterValue, 'Write daily session reminders as an iCalendar file for a calendar app')
            [CompletionResult]::new('serve', 'serve', [CompletionResultType]::ParameterValue, 'Run the web app (for phones and browsers) until Ctrl-C')
            [CompletionResult]::new('report', 'report', [CompletionResultType]::ParameterValue, 'Write a report for a clinician as a PDF (one or two A4 pages)')
            [CompletionResult]::new('handout', 'handout', [CompletionResultType]::ParameterValue, 'Write your home program to print, as a PDF: each step with its figure, the limits, and the warning signs that mean stop')
            [CompletionResult]::new('admin', 'admin', [CompletionResultType]::ParameterValue, 'Look after the accounts of `knead serve` (for its operator)')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print tab completion for your shell')
            [CompletionResult]::new('man', 'man', [CompletionResultType]::ParameterValue, 'Print the manual page (roff) to standard output')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'knead;start' {
            [CompletionResult]::new('--time-scale', '--time-scale', [CompletionResultType]::ParameterName, 'Run the session clock this many times faster (for demos and tests)')
            [CompletionResult]::new('--pack', '--pack', [CompletionResultType]::ParameterName, 'Use the content pack in this directory instead of the built-in one')
            [CompletionResult]::new('--data-dir', '--data-dir', [CompletionResultType]::ParameterName, 'Keep the journal in this directory (default: $KNEAD_DATA_DIR, else the platform''s data directory)')
            [CompletionResult]::new('--voice', '--voice', [CompletionResultType]::ParameterName, 'Speak the cues (needs espeak-ng)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'knead;check' {
            [CompletionResult]::new('--intake', '--intake', [CompletionResultType]::ParameterName, 'Intake v1 as JSON; `-` reads standard input')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, '`text` for people, `json` for programs')
            [CompletionResult]::new('--pack', '--pack', [CompletionResultType]::ParameterName, 'Use the content pack in this directory instead of the built-in one')
            [CompletionResult]::new('--data-dir', '--data-dir', [CompletionResultType]::ParameterName, 'Keep the journal in this directory (default: $KNEAD_DATA_DIR, else the platform''s data directory)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'knead;plan' {
            [CompletionResult]::new('--intake', '--intake', [CompletionResultType]::ParameterName, 'Intake v1 as JSON; `-` reads standard input')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, '`text` for people, `json` for programs')
            [CompletionResult]::new('--pack', '--pack', [CompletionResultType]::ParameterName, 'Use the content pack in this directory instead of the built-in one')
            [CompletionResult]::new('--data-dir', '--data-dir', [CompletionResultType]::ParameterName, 'Keep the journal in this directory (default: $KNEAD_DATA_DIR, else the platform''s data directory)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'knead;techniques' {
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, '`text` for people, `json` for programs')
            [CompletionResult]::new('--pack', '--pack', [CompletionResultType]::ParameterName, 'Use the content pack in this directory instead of the built-in one')
            [CompletionResult]::new('--data-dir', '--data-dir', [CompletionResultType]::ParameterName, 'Keep the journal in this directory (default: $KNEAD_DATA_DIR, else the platform''s data directory)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'knead;learn' {
            [CompletionResult]::new('--pack', '--pack', [CompletionResultType]::ParameterName, 'Use the content pack in this directory instead of the built-in one')
            [CompletionResult]::new('--data-dir', '--data-dir', [CompletionResultType]::ParameterName, 'Keep the journal in this directory (default: $KNEAD_DATA_DIR, else the platform''s data directory)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'knead;log' {
            [CompletionResult]::new('--technique', '--technique', [CompletionResultType]::ParameterName, 'hands, foam_roller or electric_massager')
            [CompletionResult]::new('--minutes', '--minutes', [CompletionResultType]::ParameterName, 'Minutes of massage (1 to 240)')
            [CompletionResult]::new('--pain-before', '--pain-before', [CompletionResultType]::ParameterName, 'Pain before, 0-10')
            [CompletionResult]::new('--pain-after', '--pain-after', [CompletionResultType]::ParameterName, 'Pain after, 0-10')
            [CompletionResult]::new('--at', '--at', [CompletionResultType]::ParameterName, 'When it began: `2026-11-24 18:30` (local) or RFC 3339; default now')
            [CompletionResult]::new('--region', '--region', [CompletionResultType]::ParameterName, 'left, right, centre or both_sides')
            [CompletionResult]::new('--note', '--note', [CompletionResultType]::ParameterName, 'A note')
            [CompletionResult]::new('--pack', '--pack', [CompletionResultType]::ParameterName, 'Use the content pack in this directory instead of the built-in one')
            [CompletionResult]::new('--data-dir', '--data-dir', [CompletionResultType]::ParameterName, 'Keep the journal in this directory (default: $KNEAD_DATA_DIR, else the platform''s data directory)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'knead;checkin' {
            [CompletionResult]::new('--pain', '--pain', [CompletionResultType]::ParameterName, 'Pain over the last week, 0-10')
            [CompletionResult]::new('--change', '--change', [CompletionResultType]::ParameterName, 'Change since starting: -3 very much worse … 0 no change … 3 very much better')
            [CompletionResult]::new('--pack', '--pack', [CompletionResultType]::ParameterName, 'Use the content pack in this directory instead of the built-in one')
            [CompletionResult]::new('--data-dir', '--data-dir', [CompletionResultType]::ParameterName, 'Keep the journal in this directory (default: $KNEAD_DATA_DIR, else the platform''s data directory)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'knead;history' {
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, '`text` for people, `json` or `csv` for programs (every session, unless --since or --limit)')
            [CompletionResult]::new('--since', '--since', [CompletionResultType]::ParameterName, 'Sessions from this day on (YYYY-MM-DD, your local day); all of them unless --limit is given too')
            [CompletionResult]::new('--limit', '--limit', [CompletionResultType]::ParameterName, 'The newest N sessions (as text, 30 unless given)')
            [CompletionResult]::new('--pack', '--pack', [CompletionResultType]::ParameterName, 'Use the content pack in this directory instead of the built-in one')
            [CompletionResult]::new('--data-dir', '--data-dir', [CompletionResultType]::ParameterName, 'Keep the journal in this directory (default: $KNEAD_DATA_DIR, else the platform''s data directory)')
            [CompletionResult]::new('--all', '--all', [CompletionResultType]::ParameterName, 'Every session, however many')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'knead;progress' {
            [CompletionResult]::new('--days', '--days', [CompletionResultType]::ParameterName, 'Days shown in the terminal chart')
            [CompletionResult]::new('--png', '--png', [CompletionResultType]::ParameterName, 'Also write the chart as a PNG image')
            [CompletionResult]::new('--svg', '--svg', [CompletionResultType]::ParameterName, 'Also write the chart as an SVG image')
            [CompletionResult]::new('--pack', '--pack', [CompletionResultType]::ParameterName, 'Use the content pack in this directory instead of the built-in one')
            [CompletionResult]::new('--data-dir', '--data-dir', [CompletionResultType]::ParameterName, 'Keep the journal in this directory (default: $KNEAD_DATA_DIR, else the platform''s data directory)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'knead;export' {
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'csv, json or fhir')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Write here instead of standard output')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Write here instead of standard output')
            [CompletionResult]::new('--pack', '--pack', [CompletionResultType]::ParameterName, 'Use the content pack in this directory instead of the built-in one')
            [CompletionResult]::new('--data-dir', '--data-dir', [CompletionResultType]::ParameterName, 'Keep the journal in this directory (default: $KNEAD_DATA_DIR, else the platform''s data directory)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'knead;import' {
            [CompletionResult]::new('--pack', '--pack', [CompletionResultType]::ParameterName, 'Use the content pack in this directory instead of the built-in one')
            [CompletionResult]::new('--data-dir', '--data-dir', [CompletionResultType]::ParameterName, 'Keep the journal in this directory (default: $KNEAD_DATA_DIR, else the platform''s data directory)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'knead;remind' {
            [CompletionResult]::new('--ics', '--ics', [CompletionResultType]::ParameterName, 'Write the reminders to this .ics file')
            [CompletionResult]::new('--times', '--times', [CompletionResultType]::ParameterName, 'Times of day, local, as HH:MM separated by commas (at most the pack''s sessions a day)')
            [CompletionResult]::new('--days', '--days', [CompletionResultType]::ParameterName, 'How many days the reminders repeat (1 to 365)')
            [CompletionResult]::new('--start', '--start', [CompletionResultType]::ParameterName, 'The first day, YYYY-MM-DD (default: today)')
            [CompletionResult]::new('--pack', '--pack', [CompletionResultType]::ParameterName, 'Use the content pack in this directory instead of the built-in one')
            [CompletionResult]::new('--data-dir', '--data-dir', [CompletionResultType]::ParameterName, 'Keep the journal in this directory (default: $KNEAD_DATA_DIR, else the platform''s data directory)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'knead;serve' {
            [CompletionResult]::new('--addr', '--addr', [CompletionResultType]::ParameterName, 'Listen on this address and port')
            [CompletionResult]::new('--database-url', '--database-url', [CompletionResultType]::ParameterName, 'The database: sqlite://PATH or postgres://USER@HOST/DB (default: server.sqlite3 in the data folder)')
            [CompletionResult]::new('--emergency-number', '--emergency-number', [CompletionResultType]::ParameterName, 'The emergency number an emergency result offers to call with one tap (e.g. 999, 911)')
            [CompletionResult]::new('--trusted-proxy', '--trusted-proxy', [CompletionResultType]::ParameterName, 'A reverse proxy in front of Knead (an address or network, e.g. 10.0.0.5 or 10.0.0.0/8); repeat for more')
            [CompletionResult]::new('--forwarded-header', '--forwarded-header', [CompletionResultType]::ParameterName, 'The header the trusted proxies write the client''s address into: x-forwarded-for or forwarded (RFC 7239)')
            [CompletionResult]::new('--max-connections', '--max-connections', [CompletionResultType]::ParameterName, 'Serve at most this many connections at once; more wait until one ends')
            [CompletionResult]::new('--header-timeout', '--header-timeout', [CompletionResultType]::ParameterName, 'Close a connection that takes longer than this many seconds to send a request''s headers, or sits idle as long')
            [CompletionResult]::new('--smtp-url', '--smtp-url', [CompletionResultType]::ParameterName, 'Send e-mail through this mail server: smtp://HOST:587?tls=required, smtps://HOST:465, with USER:PASSWORD@ if needed')
            [CompletionResult]::new('--mail-from', '--mail-from', [CompletionResultType]::ParameterName, 'The address Knead''s e-mail comes from, e.g. "Knead <knead@example.org>"')
            [CompletionResult]::new('--public-url', '--public-url', [CompletionResultType]::ParameterName, 'The address people reach this server at, for the links in its e-mail and to name it to push services, e.g. `https://knead.example.org`')
            [CompletionResult]::new('--push-service', '--push-service', [CompletionResultType]::ParameterName, 'Another push service to send to, by origin (e.g. `https://push.example.org`); repeat for more')
            [CompletionResult]::new('--pack', '--pack', [CompletionResultType]::ParameterName, 'Use the content pack in this directory instead of the built-in one')
            [CompletionResult]::new('--data-dir', '--data-dir', [CompletionResultType]::ParameterName, 'Keep the journal in this directory (default: $KNEAD_DATA_DIR, else the platform''s data directory)')
            [CompletionResult]::new('--secure-cookies', '--secure-cookies', [CompletionResultType]::ParameterName, 'Mark cookies Secure: set this when people reach the server over HTTPS')
            [CompletionResult]::new('--tell-taken-addresses', '--tell-taken-addresses', [CompletionResultType]::ParameterName, 'Sign a new account in at once and tell sign-up when an address already has an account')
            [CompletionResult]::new('--web-push', '--web-push', [CompletionResultType]::ParameterName, 'Let people turn on notices on their phones and computers (Web Push), as well as or instead of e-mail')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'knead;report' {
            [CompletionResult]::new('--pdf', '--pdf', [CompletionResultType]::ParameterName, 'Write the report to this .pdf file')
            [CompletionResult]::new('--from', '--from', [CompletionResultType]::ParameterName, 'The first day, YYYY-MM-DD (default: 27 days before --to)')
            [CompletionResult]::new('--to', '--to', [CompletionResultType]::ParameterName, 'The last day, YYYY-MM-DD (default: today)')
            [CompletionResult]::new('--name', '--name', [CompletionResultType]::ParameterName, 'Your name on the report (default: a blank line to fill in)')
            [CompletionResult]::new('--pack', '--pack', [CompletionResultType]::ParameterName, 'Use the content pack in this directory instead of the built-in one')
            [CompletionResult]::new('--data-dir', '--data-dir', [CompletionResultType]::ParameterName, 'Keep the journal in this directory (default: $KNEAD_DATA_DIR, else the platform''s data directory)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'knead;handout' {
            [CompletionResult]::new('--pdf', '--pdf', [CompletionResultType]::ParameterName, 'Write the handout to this .pdf file')
            [CompletionResult]::new('--name', '--name', [CompletionResultType]::ParameterName, 'Your name on the handout (default: a blank line to fill in)')
            [CompletionResult]::new('--pack', '--pack', [CompletionResultType]::ParameterName, 'Use the content pack in this directory instead of the built-in one')
            [CompletionResult]::new('--data-dir', '--data-dir', [CompletionResultType]::ParameterName, 'Keep the journal in this directory (default: $KNEAD_DATA_DIR, else the platform''s data directory)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'knead;admin' {
            [CompletionResult]::new('--pack', '--pack', [CompletionResultType]::ParameterName, 'Use the content pack in this directory instead of the built-in one')
            [CompletionResult]::new('--data-dir', '--data-dir', [CompletionResultType]::ParameterName, 'Keep the journal in this directory (default: $KNEAD_DATA_DIR, else the platform''s data directory)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('reset-password', 'reset-password', [CompletionResultType]::ParameterValue, 'Give the account at EMAIL a new random password and end every sign-in of theirs, for someone who forgot theirs')
            [CompletionResult]::new('backup', 'backup', [CompletionResultType]::ParameterValue, 'Copy the server''s SQLite database to a new FILE, while it runs')
            [CompletionResult]::new('restore', 'restore', [CompletionResultType]::ParameterValue, 'Put a backup FILE in place of the server''s SQLite database')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'knead;admin;reset-password' {
            [CompletionResult]::new('--database-url', '--database-url', [CompletionResultType]::ParameterName, 'The server''s database, as for `knead serve` (default: server.sqlite3 in the data folder)')
            [CompletionResult]::new('--pack', '--pack', [CompletionResultType]::ParameterName, 'Use the content pack in this directory instead of the built-in one')
            [CompletionResult]::new('--data-dir', '--data-dir', [CompletionResultType]::ParameterName, 'Keep the journal in this directory (default: $KNEAD_DATA_DIR, else the platform''s data directory)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'knead;admin;backup' {
            [CompletionResult]::new('--database-url', '--database-url', [CompletionResultType]::ParameterName, 'The server''s database, as for `knead serve` (default: server.sqlite3 in the data folder)')
            [CompletionResult]::new('--pack', '--pack', [CompletionResultType]::ParameterName, 'Use the content pack in this directory instead of the built-in one')
            [CompletionResult]::new('--data-dir', '--data-dir', [CompletionResultType]::ParameterName, 'Keep the journal in this directory (default: $KNEAD_DATA_DIR, else the platform''s data directory)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'knead;admin;restore' {
            [CompletionResult]::new('--database-url', '--database-url', [CompletionResultType]::ParameterName, 'The server''s database, as for `knead serve` (default: server.sqlite3 in the data folder)')
            [CompletionResult]::new('--pack', '--pack', [CompletionResultType]::ParameterName, 'Use the content pack in this directory instead of the built-in one')
            [CompletionResult]::new('--data-dir', '--data-dir', [CompletionResultType]::ParameterName, 'Keep the journal in this directory (default: $KNEAD_DATA_DIR, else the platform''s data directory)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'knead;admin;help' {
            [CompletionResult]::new('reset-password', 'reset-password', [CompletionResultType]::ParameterValue, 'Give the account at EMAIL a new random password and end every sign-in of theirs, for someone who forgot theirs')
            [CompletionResult]::new('backup', 'backup', [CompletionResultType]::ParameterValue, 'Copy the server''s SQLite database to a new FILE, while it runs')
            [CompletionResult]::new('restore', 'restore', [CompletionResultType]::ParameterValue, 'Put a backup FILE in place of the server''s SQLite database')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'knead;admin;help;reset-password' {
            break
        }
        'knead;admin;help;backup' {
            break
        }
        'knead;admin;help;restore' {
            break
        }
        'knead;admin;help;help' {
            break
        }
        'knead;completions' {
            [CompletionResult]::new('--pack', '--pack', [CompletionResultType]::ParameterName, 'Use the content pack in this directory instead of the built-in one')
            [CompletionResult]::new('--data-dir', '--data-dir', [CompletionResultType]::ParameterName, 'Keep the journal in this directory (default: $KNEAD_DATA_DIR, else the platform''s data directory)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'knead;man' {
            [CompletionResult]::new('--dir', '--dir', [CompletionResultType]::ParameterName, 'Write knead.1 and a page for each command (knead-history.1, …) into this directory instead')
            [CompletionResult]::new('--pack', '--pack', [CompletionResultType]::ParameterName, 'Use the content pack in this directory instead of the built-in one')
            [CompletionResult]::new('--data-dir', '--data-dir', [CompletionResultType]::ParameterName, 'Keep the journal in this directory (default: $KNEAD_DATA_DIR, else the platform''s data directory)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'knead;help' {
            [CompletionResult]::new('start', 'start', [CompletionResultType]::ParameterValue, 'Screen, plan and guide a session, then record it in the journal')
            [CompletionResult]::new('check', 'check', [CompletionResultType]::ParameterValue, 'Screen an intake for warning signs and print the result')
            [CompletionResult]::new('plan', 'plan', [CompletionResultType]::ParameterValue, 'Screen an intake and, if self-massage is allowed, print a session plan')
            [CompletionResult]::new('techniques', 'techniques', [CompletionResultType]::ParameterValue, 'List the techniques with their steps and doses')
            [CompletionResult]::new('learn', 'learn', [CompletionResultType]::ParameterValue, 'Why the middle back hurts, how massage can help, and when to stop')
            [CompletionResult]::new('log', 'log', [CompletionResultType]::ParameterValue, 'Record a session done without the guide')
            [CompletionResult]::new('checkin', 'checkin', [CompletionResultType]::ParameterValue, 'Record the weekly check-in')
            [CompletionResult]::new('history', 'history', [CompletionResultType]::ParameterValue, 'List your latest sessions (the last 30 unless asked for more)')
            [CompletionResult]::new('progress', 'progress', [CompletionResultType]::ParameterValue, 'Show pain over time, the change from the start, and any warning')
            [CompletionResult]::new('export', 'export', [CompletionResultType]::ParameterValue, 'Write the journal as CSV, JSON or FHIR R4')
            [CompletionResult]::new('import', 'import', [CompletionResultType]::ParameterValue, 'Take back a JSON export (all of it or nothing)')
            [CompletionResult]::new('remind', 'remind', [CompletionResultType]::ParameterValue, 'Write daily session reminders as an iCalendar file for a calendar app')
            [CompletionResult]::new('serve', 'serve', [CompletionResultType]::ParameterValue, 'Run the web app (for phones and browsers) until Ctrl-C')
            [CompletionResult]::new('report', 'report', [CompletionResultType]::ParameterValue, 'Write a report for a clinician as a PDF (one or two A4 pages)')
            [CompletionResult]::new('handout', 'handout', [CompletionResultType]::ParameterValue, 'Write your home program to print, as a PDF: each step with its figure, the limits, and the warning signs that mean stop')
            [CompletionResult]::new('admin', 'admin', [CompletionResultType]::ParameterValue, 'Look after the accounts of `knead serve` (for its operator)')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print tab completion for your shell')
            [CompletionResult]::new('man', 'man', [CompletionResultType]::ParameterValue, 'Print the manual page (roff) to standard output')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'knead;help;start' {
            break
        }
        'knead;help;check' {
            break
        }
        'knead;help;plan' {
            break
        }
        'knead;help;techniques' {
            break
        }
        'knead;help;learn' {
            break
        }
        'knead;help;log' {
            break
        }
        'knead;help;checkin' {
            break
        }
        'knead;help;history' {
            break
        }
        'knead;help;progress' {
            break
        }
        'knead;help;export' {
            break
        }
        'knead;help;import' {
            break
        }
        'knead;help;remind' {
            break
        }
        'knead;help;serve' {
            break
        }
        'knead;help;report' {
            break
        }
        'knead;help;handout' {
            break
        }
        'knead;help;admin' {
            [CompletionResult]::new('reset-password', 'reset-password', [CompletionResultType]::ParameterValue, 'Give the account at EMAIL a new random password and end every sign-in of theirs, for someone who forgot theirs')
            [CompletionResult]::new('backup', 'backup', [CompletionResultType]::ParameterValue, 'Copy the server''s SQLite database to a new FILE, while it runs')
            [CompletionResult]::new('restore', 'restore', [CompletionResultType]::ParameterValue, 'Put a backup FILE in place of the server''s SQLite database')
            break
        }
        'knead;help;admin;reset-password' {
            break
        }
        'knead;help;admin;backup' {
            break
        }
        'knead;help;admin;restore' {
            break
        }
        'knead;help;completions' {
            break
        }
        'knead;help;man' {
            break
        }
        'knead;help;help' {
            break
        }
    })

    $completions.Where{ $_.CompletionText -like "$wordToComplete*" } |
        Sort-Object -Property ListItemText
}
