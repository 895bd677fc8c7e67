# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_knead_global_optspecs
    string join \n pack= data-dir= h/help V/version
end

function __fish_knead_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_knead_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_knead_using_subcommand
    set -l cmd (__fish_knead_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c knead -n "__fish_knead_needs_command" -l pack -d 'Use the content pack in this directory instead of the built-in one' -r -F
complete -c knead -n "__fish_knead_needs_command" -l data-dir -d 'Keep the journal in this directory (default: $KNEAD_DATA_DIR, else the platform\'s data directory)' -r -F
complete -c knead -n "__fish_knead_needs_command" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c knead -n "__fish_knead_needs_command" -s V -l version -d 'Print version'
complete -c knead -n "__fish_knead_needs_command" -f -a "start" -d 'Screen, plan and guide a session, then record it in the journal'
complete -c knead -n "__fish_knead_needs_command" -f -a "check" -d 'Screen an intake for warning signs and print the result'
complete -c knead -n "__fish_knead_needs_command" -f -a "plan" -d 'Screen an intake and, if self-massage is allowed, print a session plan'
complete -c knead -n "__fish_knead_needs_command" -f -a "techniques" -d 'List the techniques with their steps and doses'
complete -c knead -n "__fish_knead_needs_command" -f -a "learn" -d 'Why the middle back hurts, how massage can help, and when to stop'
complete -c knead -n "__fish_knead_needs_command" -f -a "log" -d 'Record a session done without the guide'
complete -c knead -n "__fish_knead_needs_command" -f -a "checkin" -d 'Record the weekly check-in'
complete -c knead -n "__fish_knead_needs_command" -f -a "history" -d 'List your latest sessions (the last 30 unless asked for more)'
complete -c knead -n "__fish_knead_needs_command" -f -a "progress" -d 'Show pain over time, the change from the start, and any warning'
complete -c knead -n "__fish_knead_needs_command" -f -a "export" -d 'Write the journal as CSV, JSON or FHIR R4'
complete -c knead -n "__fish_knead_needs_command" -f -a "import" -d 'Take back a JSON export (all of it or nothing)'
complete -c knead -n "__fish_knead_needs_command" -f -a "remind" -d 'Write daily session reminders as an iCalendar file for a calendar app'
complete -c knead -n "__fish_knead_needs_command" -f -a "serve" -d 'Run the web app (for phones and browsers) until Ctrl-C'
complete -c knead -n "__fish_knead_needs_command" -f -a "report" -d 'Write a report for a clinician as a PDF (one or two A4 pages)'
complete -c knead -n "__fish_knead_needs_command" -f -a "handout" -d 'Write your home program to print, as a PDF: each step with its figure, the limits, and the warning signs that mean stop'
complete -c knead -n "__fish_knead_needs_command" -f -a "admin" -d 'Look after the accounts of `knead serve` (for its operator)'
complete -c knead -n "__fish_knead_needs_command" -f -a "completions" -d 'Print tab completion for your shell'
complete -c knead -n "__fish_knead_needs_command" -f -a "man" -d 'Print the manual page (roff) to standard output'
complete -c knead -n "__fish_knead_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c knead -n "__fish_knead_using_subcommand start" -l time-scale -d 'Run the session clock this many times faster (for demos and tests)' -r
complete -c knead -n "__fish_knead_using_subcommand start" -l pack -d 'Use the content pack in this directory instead of the built-in one' -r -F
complete -c knead -n "__fish_knead_using_subcommand start" -l data-dir -d 'Keep the journal in this directory (default: $KNEAD_DATA_DIR, else the platform\'s data directory)' -r -F
complete -c knead -n "__fish_knead_using_subcommand start" -l voice -d 'Speak the cues (needs espeak-ng)'
complete -c knead -n "__fish_knead_using_subcommand start" -s h -l help -d 'Print help'
complete -c knead -n "__fish_knead_using_subcommand check" -l intake -d 'Intake v1 as JSON; `-` reads standard input' -r -F
complete -c knead -n "__fish_knead_using_subcommand check" -l format -d '`text` for people, `json` for programs' -r -f -a "text\t''
json\t''"
complete -c knead -n "__fish_knead_using_subcommand check" -l pack -d 'Use the content pack in this directory instead of the built-in one' -r -F
complete -c knead -n "__fish_knead_using_subcommand check" -l data-dir -d 'Keep the journal in this directory (default: $KNEAD_DATA_DIR, else the platform\'s data directory)' -r -F
complete -c knead -n "__fish_knead_using_subcommand check" -s h -l help -d 'Print help'
complete -c knead -n "__fish_knead_using_subcommand plan" -l intake -d 'Intake v1 as JSON; `-` reads standard input' -r -F
complete -c knead -n "__fish_knead_using_subcommand plan" -l format -d '`text` for people, `json` for programs' -r -f -a "text\t''
json\t''"
complete -c knead -n "__fish_knead_using_subcommand plan" -l pack -d 'Use the content pack in this directory instead of the built-in one' -r -F
complete -c knead -n "__fish_knead_using_subcommand plan" -l data-dir -d 'Keep the journal in this directory (default: $KNEAD_DATA_DIR, else the platform\'s data directory)' -r -F
complete -c knead -n "__fish_knead_using_subcommand plan" -s h -l help -d 'Print help'
complete -c knead -n "__fish_knead_using_subcommand techniques" -l format -d '`text` for people, `json` for programs' -r -f -a "text\t''
json\t''"
complete -c knead -n "__fish_knead_using_subcommand techniques" -l pack -d 'Use the content pack in this directory instead of the built-in one' -r -F
complete -c knead -n "__fish_knead_using_subcommand techniques" -l data-dir -d 'Keep the journal in this directory (default: $KNEAD_DATA_DIR, else the platform\'s data directory)' -r -F
complete -c knead -n "__fish_knead_using_subcommand techniques" -s h -l help -d 'Print help'
complete -c knead -n "__fish_knead_using_subcommand learn" -l pack -d 'Use the content pack in this directory instead of the built-in one' -r -F
complete -c knead -n "__fish_knead_using_subcommand learn" -l data-dir -d 'Keep the journal in this directory (default: $KNEAD_DATA_DIR, else the platform\'s data directory)' -r -F
complete -c knead -n "__fish_knead_using_subcommand learn" -s h -l help -d 'Print help'
complete -c knead -n "__fish_knead_using_subcommand log" -l technique -d 'hands, foam_roller or electric_massager' -r
complete -c knead -n "__fish_knead_using_subcommand log" -l minutes -d 'Minutes of massage (1 to 240)' -r
complete -c knead -n "__fish_knead_using_subcommand log" -l pain-before -d 'Pain before, 0-10' -r
complete -c knead -n "__fish_knead_using_subcommand log" -l pain-after -d 'Pain after, 0-10' -r
complete -c knead -n "__fish_knead_using_subcommand log" -l at -d 'When it began: `2026-11-24 18:30` (local) or RFC 3339; default now' -r
complete -c knead -n "__fish_knead_using_subcommand log" -l region -d 'left, right, centre or both_sides' -r
complete -c knead -n "__fish_knead_using_subcommand log" -l note -d 'A note' -r
complete -c knead -n "__fish_knead_using_subcommand log" -l pack -d 'Use the content pack in this directory instead of the built-in one' -r -F
complete -c knead -n "__fish_knead_using_subcommand log" -l data-dir -d 'Keep the journal in this directory (default: $KNEAD_DATA_DIR, else the platform\'s data directory)' -r -F
complete -c knead -n "__fish_knead_using_subcommand log" -s h -l help -d 'Print help'
complete -c knead -n "__fish_knead_using_subcommand checkin" -l pain -d 'Pain over the last week, 0-10' -r
complete -c knead -n "__fish_knead_using_subcommand checkin" -l change -d 'Change since starting: -3 very much worse … 0 no change … 3 very much better' -r
complete -c knead -n "__fish_knead_using_subcommand checkin" -l pack -d 'Use the content pack in this directory instead of the built-in one' -r -F
complete -c knead -n "__fish_knead_using_subcommand checkin" -l data-dir -d 'Keep the journal in this directory (default: $KNEAD_DATA_DIR, else the platform\'s data directory)' -r -F
complete -c knead -n "__fish_knead_using_subcommand checkin" -s h -l help -d 'Print help'
complete -c knead -n "__fish_knead_using_subcommand history" -l format -d '`text` for people, `json` or `csv` for programs (every session, unless --since or --limit)' -r -f -a "text\t''
json\t''
csv\t''"
complete -c knead -n "__fish_knead_using_subcommand history" -l since -d 'Sessions from this day on (YYYY-MM-DD, your local day); all of them unless --limit is given too' -r
complete -c knead -n "__fish_knead_using_subcommand history" -l limit -d 'The newest N sessions (as text, 30 unless given)' -r
complete -c knead -n "__fish_knead_using_subcommand history" -l pack -d 'Use the content pack in this directory instead of the built-in one' -r -F
complete -c knead -n "__fish_knead_using_subcommand history" -l data-dir -d 'Keep the journal in this directory (default: $KNEAD_DATA_DIR, else the platform\'s data directory)' -r -F
complete -c knead -n "__fish_knead_using_subcommand history" -l all -d 'Every session, however many'
complete -c knead -n "__fish_knead_using_subcommand history" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c knead -n "__fish_knead_using_subcommand progress" -l days -d 'Days shown in the terminal chart' -r
complete -c knead -n "__fish_knead_using_subcommand progress" -l png -d 'Also write the chart as a PNG image' -r -F
complete -c knead -n "__fish_knead_using_subcommand progress" -l svg -d 'Also write the chart as an SVG image' -r -F
complete -c knead -n "__fish_knead_using_subcommand progress" -l pack -d 'Use the content pack in this directory instead of the built-in one' -r -F
complete -c knead -n "__fish_knead_using_subcommand progress" -l data-dir -d 'Keep the journal in this directory (default: $KNEAD_DATA_DIR, else the platform\'s data directory)' -r -F
complete -c knead -n "__fish_knead_using_subcommand progress" -s h -l help -d 'Print help'
complete -c knead -n "__fish_knead_using_subcommand export" -l format -d 'csv, json or fhir' -r -f -a "csv\t'One row per session'
json\t'The whole journal; `knead import` takes it back'
fhir\t'A FHIR R4 Bundle: the screenings (Questionnaire and responses) and pain Observations (LOINC 72514-3)'"
complete -c knead -n "__fish_knead_using_subcommand export" -s o -l output -d 'Write here instead of standard output' -r -F
complete -c knead -n "__fish_knead_using_subcommand export" -l pack -d 'Use the content pack in this directory instead of the built-in one' -r -F
complete -c knead -n "__fish_knead_using_subcommand export" -l data-dir -d 'Keep the journal in this directory (default: $KNEAD_DATA_DIR, else the platform\'s data directory)' -r -F
complete -c knead -n "__fish_knead_using_subcommand export" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c knead -n "__fish_knead_using_subcommand import" -l pack -d 'Use the content pack in this directory instead of the built-in one' -r -F
complete -c knead -n "__fish_knead_using_subcommand import" -l data-dir -d 'Keep the journal in this directory (default: $KNEAD_DATA_DIR, else the platform\'s data directory)' -r -F
complete -c knead -n "__fish_knead_using_subcommand import" -s h -l help -d 'Print help'
complete -c knead -n "__fish_knead_using_subcommand remind" -l ics -d 'Write the reminders to this .ics file' -r -F
complete -c knead -n "__fish_knead_using_subcommand remind" -l times -d 'Times of day, local, as HH:MM separated by commas (at most the pack\'s sessions a day)' -r
complete -c knead -n "__fish_knead_using_subcommand remind" -l days -d 'How many days the reminders repeat (1 to 365)' -r
complete -c knead -n "__fish_knead_using_subcommand remind" -l start -d 'The first day, YYYY-MM-DD (default: today)' -r
complete -c knead -n "__fish_knead_using_subcommand remind" -l pack -d 'Use the content pack in this directory instead of the built-in one' -r -F
complete -c knead -n "__fish_knead_using_subcommand remind" -l data-dir -d 'Keep the journal in this directory (default: $KNEAD_DATA_DIR, else the platform\'s data directory)' -r -F
complete -c knead -n "__fish_knead_using_subcommand remind" -s h -l help -d 'Print help'
complete -c knead -n "__fish_knead_using_subcommand serve" -l addr -d 'Listen on this address and port' -r
complete -c knead -n "__fish_knead_using_subcommand serve" -l database-url -d 'The database: sqlite://PATH or postgres://USER@HOST/DB (default: server.sqlite3 in the data folder)' -r
complete -c knead -n "__fish_knead_using_subcommand serve" -l emergency-number -d 'The emergency number an emergency result offers to call with one tap (e.g. 999, 911)' -r
complete -c knead -n "__fish_knead_using_subcommand serve" -l trusted-proxy -d 'A reverse proxy in front of Knead (an address or network, e.g. 10.0.0.5 or 10.0.0.0/8); repeat for more' -r
complete -c knead -n "__fish_knead_using_subcommand serve" -l forwarded-header -d 'The header the trusted proxies write the client\'s address into: x-forwarded-for or forwarded (RFC 7239)' -r
complete -c knead -n "__fish_knead_using_subcommand serve" -l max-connections -d 'Serve at most this many connections at once; more wait until one ends' -r
complete -c knead -n "__fish_knead_using_subcommand serve" -l header-timeout -d 'Close a connection that takes longer than this many seconds to send a request\'s headers, or sits idle as long' -r
complete -c knead -n "__fish_knead_using_subcommand serve" -l smtp-url -d 'Send e-mail through this mail server: smtp://HOST:587?tls=required, smtps://HOST:465, with USER:PASSWORD@ if needed' -r
complete -c knead -n "__fish_knead_using_subcommand serve" -l mail-from -d 'The address Knead\'s e-mail comes from, e.g. "Knead <knead@example.org>"' -r
complete -c knead -n "__fish_knead_using_subcommand serve" -l public-url -d 'The address people reach this server at, for the links in its e-mail and to name it to push services, e.g. `https://knead.example.org`' -r
complete -c knead -n "__fish_knead_using_subcommand serve" -l push-service -d 'Another push service to send to, by origin (e.g. `https://push.example.org`); repeat for more' -r
complete -c knead -n "__fish_knead_using_subcommand serve" -l pack -d 'Use the content pack in this directory instead of the built-in one' -r -F
complete -c knead -n "__fish_knead_using_subcommand serve" -l data-dir -d 'Keep the journal in this directory (default: $KNEAD_DATA_DIR, else the platform\'s data directory)' -r -F
complete -c knead -n "__fish_knead_using_subcommand serve" -l secure-cookies -d 'Mark cookies Secure: set this when people reach the server over HTTPS'
complete -c knead -n "__fish_knead_using_subcommand serve" -l tell-taken-addresses -d 'Sign a new account in at once and tell sign-up when an address already has an account'
complete -c knead -n "__fish_knead_using_subcommand serve" -l web-push -d 'Let people turn on notices on their phones and computers (Web Push), as well as or instead of e-mail'
complete -c knead -n "__fish_knead_using_subcommand serve" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c knead -n "__fish_knead_using_subcommand report" -l pdf -d 'Write the report to this .pdf file' -r -F
complete -c knead -n "__fish_knead_using_subcommand report" -l from -d 'The first day, YYYY-MM-DD (default: 27 days before --to)' -r
complete -c knead -n "__fish_knead_using_subcommand report" -l to -d 'The last day, YYYY-MM-DD (default: today)' -r
complete -c knead -n "__fish_knead_using_subcommand report" -l name -d 'Your name on the report (default: a blank line to fill in)' -r
complete -c knead -n "__fish_knead_using_subcommand report" -l pack -d 'Use the content pack in this directory instead of the built-in one' -r -F
complete -c knead -n "__fish_knead_using_subcommand report" -l data-dir -d 'Keep the journal in this directory (default: $KNEAD_DATA_DIR, else the platform\'s data directory)' -r -F
complete -c knead -n "__fish_knead_using_subcommand report" -s h -l help -d 'Print help'
complete -c knead -n "__fish_knead_using_subcommand handout" -l pdf -d 'Write the handout to this .pdf file' -r -F
complete -c knead -n "__fish_knead_using_subcommand handout" -l name -d 'Your name on the handout (default: a blank line to fill in)' -r
complete -c knead -n "__fish_knead_using_subcommand handout" -l pack -d 'Use the content pack in this directory instead of the built-in one' -r -F
complete -c knead -n "__fish_knead_using_subcommand handout" -l data-dir -d 'Keep the journal in this directory (default: $KNEAD_DATA_DIR, else the platform\'s data directory)' -r -F
complete -c knead -n "__fish_knead_using_subcommand handout" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c knead -n "__fish_knead_using_subcommand admin; and not __fish_seen_subcommand_from reset-password backup restore help" -l pack -d 'Use the content pack in this directory instead of the built-in one' -r -F
complete -c knead -n "__fish_knead_using_subcommand admin; and not __fish_seen_subcommand_from reset-password backup restore help" -l data-dir -d 'Keep the journal in this directory (default: $KNEAD_DATA_DIR, else the platform\'s data directory)' -r -F
complete -c knead -n "__fish_knead_using_subcommand admin; and not __fish_seen_subcommand_from reset-password backup restore help" -s h -l help -d 'Print help'
complete -c knead -n "__fish_knead_using_subcommand admin; and not __fish_seen_subcommand_from reset-password backup restore help" -f -a "reset-password" -d 'Give the account at EMAIL a new random password and end every sign-in of theirs, for someone who forgot theirs'
complete -c knead -n "__fish_knead_using_subcommand admin; and not __fish_seen_subcommand_from reset-password backup restore help" -f -a "backup" -d 'Copy the server\'s SQLite database to a new FILE, while it runs'
complete -c knead -n "__fish_knead_using_subcommand admin; and not __fish_seen_subcommand_from reset-password backup restore help" -f -a "restore" -d 'Put a backup FILE in place of the server\'s SQLite database'
complete -c knead -n "__fish_knead_using_subcommand admin; and not __fish_seen_subcommand_from reset-password backup restore help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c knead -n "__fish_knead_using_subcommand admin; and __fish_seen_subcommand_from reset-password" -l database-url -d 'The server\'s database, as for `knead serve` (default: server.sqlite3 in the data folder)' -r
complete -c knead -n "__fish_knead_using_subcommand admin; and __fish_seen_subcommand_from reset-password" -l pack -d 'Use the content pack in this directory instead of the built-in one' -r -F
complete -c knead -n "__fish_knead_using_subcommand admin; and __fish_seen_subcommand_from reset-password" -l data-dir -d 'Keep the journal in this directory (default: $KNEAD_DATA_DIR, else the platform\'s data directory)' -r -F
complete -c knead -n "__fish_knead_using_subcommand admin; and __fish_seen_subcommand_from reset-password" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c knead -n "__fish_knead_using_subcommand admin; and __fish_seen_subcommand_from backup" -l database-url -d 'The server\'s database, as for `knead serve` (default: server.sqlite3 in the data folder)' -r
complete -c knead -n "__fish_knead_using_subcommand admin; and __fish_seen_subcommand_from backup" -l pack -d 'Use the content pack in this directory instead of the built-in one' -r -F
complete -c knead -n "__fish_knead_using_subcommand admin; and __fish_seen_subcommand_from backup" -l data-dir -d 'Keep the journal in this directory (default: $KNEAD_DATA_DIR, else the platform\'s data directory)' -r -F
complete -c knead -n "__fish_knead_using_subcommand admin; and __fish_seen_subcommand_from backup" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c knead -n "__fish_knead_using_subcommand admin; and __fish_seen_subcommand_from restore" -l database-url -d 'The server\'s database, as for `knead serve` (default: server.sqlite3 in the data folder)' -r
complete -c knead -n "__fish_knead_using_subcommand admin; and __fish_seen_subcommand_from restore" -l pack -d 'Use the content pack in this directory instead of the built-in one' -r -F
complete -c knead -n "__fish_knead_using_subcommand admin; and __fish_seen_subcommand_from restore" -l data-dir -d 'Keep the journal in this directory (default: $KNEAD_DATA_DIR, else the platform\'s data directory)' -r -F
complete -c knead -n "__fish_knead_using_subcommand admin; and __fish_seen_subcommand_from restore" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c knead -n "__fish_knead_using_subcommand admin; and __fish_seen_subcommand_from help" -f -a "reset-password" -d 'Give the account at EMAIL a new random password and end every sign-in of theirs, for someone who forgot theirs'
complete -c knead -n "__fish_knead_using_subcommand admin; and __fish_seen_subcommand_from help" -f -a "backup" -d 'Copy the server\'s SQLite database to a new FILE, while it runs'
complete -c knead -n "__fish_knead_using_subcommand admin; and __fish_seen_subcommand_from help" -f -a "restore" -d 'Put a backup FILE in place of the server\'s SQLite database'
complete -c knead -n "__fish_knead_using_subcommand admin; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c knead -n "__fish_knead_using_subcommand completions" -l pack -d 'Use the content pack in this directory instead of the built-in one' -r -F
complete -c knead -n "__fish_knead_using_subcommand completions" -l data-dir -d 'Keep the journal in this directory (default: $KNEAD_DATA_DIR, else the platform\'s data directory)' -r -F
complete -c knead -n "__fish_knead_using_subcommand completions" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c knead -n "__fish_knead_using_subcommand man" -l dir -d 'Write knead.1 and a page for each command (knead-history.1, …) into this directory instead' -r -F
complete -c knead -n "__fish_knead_using_subcommand man" -l pack -d 'Use the content pack in this directory instead of the built-in one' -r -F
complete -c knead -n "__fish_knead_using_subcommand man" -l data-dir -d 'Keep the journal in this directory (default: $KNEAD_DATA_DIR, else the platform\'s data directory)' -r -F
complete -c knead -n "__fish_knead_using_subcommand man" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c knead -n "__fish_knead_using_subcommand help; and not __fish_seen_subcommand_from start check plan techniques learn log checkin history progress export import remind serve report handout admin completions man help" -f -a "start" -d 'Screen, plan and guide a session, then record it in the journal'
complete -c knead -n "__fish_knead_using_subcommand help; and not __fish_seen_subcommand_from start check plan techniques learn log checkin history progress export import remind serve report handout admin completions man help" -f -a "check" -d 'Screen an intake for warning signs and print the result'
complete -c knead -n "__fish_knead_using_subcommand help; and not __fish_seen_subcommand_from start check plan techniques learn log checkin history progress export import remind serve report handout admin completions man help" -f -a "plan" -d 'Screen an intake and, if self-massage is allowed, print a session plan'
complete -c knead -n "__fish_knead_using_subcommand help; and not __fish_seen_subcommand_from start check plan techniques learn log checkin history progress export import remind serve report handout admin completions man help" -f -a "techniques" -d 'List the techniques with their steps and doses'
complete -c knead -n "__fish_knead_using_subcommand help; and not __fish_seen_subcommand_from start check plan techniques learn log checkin history progress export import remind serve report handout admin completions man help" -f -a "learn" -d 'Why the middle back hurts, how massage can help, and when to stop'
complete -c knead -n "__fish_knead_using_subcommand help; and not __fish_seen_subcommand_from start check plan techniques learn log checkin history progress export import remind serve report handout admin completions man help" -f -a "log" -d 'Record a session done without the guide'
complete -c knead -n "__fish_knead_using_subcommand help; and not __fish_seen_subcommand_from start check plan techniques learn log checkin history progress export import remind serve report handout admin completions man help" -f -a "checkin" -d 'Record the weekly check-in'
complete -c knead -n "__fish_knead_using_subcommand help; and not __fish_seen_subcommand_from start check plan techniques learn log checkin history progress export import remind serve report handout admin completions man help" -f -a "history" -d 'List your latest sessions (the last 30 unless asked for more)'
complete -c knead -n "__fish_knead_using_subcommand help; and not __fish_seen_subcommand_from start check plan techniques learn log checkin history progress export import remind serve report handout admin completions man help" -f -a "progress" -d 'Show pain over time, the change from the start, and any warning'
complete -c knead -n "__fish_knead_using_subcommand help; and not __fish_seen_subcommand_from start check plan techniques learn log checkin history progress export import remind serve report handout admin completions man help" -f -a "export" -d 'Write the journal as CSV, JSON or FHIR R4'
complete -c knead -n "__fish_knead_using_subcommand help; and not __fish_seen_subcommand_from start check plan techniques learn log checkin history progress export import remind serve report handout admin completions man help" -f -a "import" -d 'Take back a JSON export (all of it or nothing)'
complete -c knead -n "__fish_knead_using_subcommand help; and not __fish_seen_subcommand_from start check plan techniques learn log checkin history progress export import remind serve report handout admin completions man help" -f -a "remind" -d 'Write daily session reminders as an iCalendar file for a calendar app'
complete -c knead -n "__fish_knead_using_subcommand help; and not __fish_seen_subcommand_from start check plan techniques learn log checkin history progress export import remind serve report handout admin completions man help" -f -a "serve" -d 'Run the web app (for phones and browsers) until Ctrl-C'
complete -c knead -n "__fish_knead_using_subcommand help; and not __fish_seen_subcommand_from start check plan techniques learn log checkin history progress export import remind serve report handout admin completions man help" -f -a "report" -d 'Write a report for a clinician as a PDF (one or two A4 pages)'
complete -c knead -n "__fish_knead_using_subcommand help; and not __fish_seen_subcommand_from start check plan techniques learn log checkin history progress export import remind serve report handout admin completions man help" -f -a "handout" -d 'Write your home program to print, as a PDF: each step with its figure, the limits, and the warning signs that mean stop'
complete -c knead -n "__fish_knead_using_subcommand help; and not __fish_seen_subcommand_from start check plan techniques learn log checkin history progress export import remind serve report handout admin completions man help" -f -a "admin" -d 'Look after the accounts of `knead serve` (for its operator)'
complete -c knead -n "__fish_knead_using_subcommand help; and not __fish_seen_subcommand_from start check plan techniques learn log checkin history progress export import remind serve report handout admin completions man help" -f -a "completions" -d 'Print tab completion for your shell'
complete -c knead -n "__fish_knead_using_subcommand help; and not __fish_seen_subcommand_from start check plan techniques learn log checkin history progress export import remind serve report handout admin completions man help" -f -a "man" -d 'Print the manual page (roff) to standard output'
complete -c knead -n "__fish_knead_using_subcommand help; and not __fish_seen_subcommand_from start check plan techniques learn log checkin history progress export import remind serve report handout admin completions man help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c knead -n "__fish_knead_using_subcommand help; and __fish_seen_subcommand_from admin" -f -a "reset-password" -d 'Give the account at EMAIL a new random password and end every sign-in of theirs, for someone who forgot theirs'
complete -c knead -n "__fish_knead_using_subcommand help; and __fish_seen_subcommand_from admin" -f -a "backup" -d 'Copy the server\'s SQLite database to a new FILE, while it runs'
complete -c knead -n "__fish_knead_using_subcommand help; and __fish_seen_subcommand_from admin" -f -a "restore" -d 'Put a backup FILE in place of the server\'s SQLite database'
