# The words the default theme puts around each page's content, in English.
# A translation is a file of the same messages named after its language's code,
# such as messages/pl.ftl, in the project's folder or a council's. A message
# missing there is shown in English. docs/translations.md says more.

## The header

skip-link = Skip to main content
# The link to the urgent help page at the top of every page.
urgent-link = Urgent help: 999 or 111
# The same, on a site with no urgent help page. $call999 and $call111 are the
# phone numbers, as links.
urgent-numbers = Urgent help: call { $call999 } or { $call111 }
menu = Menu
main-navigation = Main
breadcrumb = Breadcrumb
# The label of the list of the languages a page is in.
languages = This page in other languages

## A guide's pages

contents = Contents
pages-in-guide = Pages in this guide
# The link to a guide's first page from a page that lists only some of them.
all-pages-in-guide = { $count ->
    [one] The only page in { $guide }
   *[other] All { $count } pages in { $guide }
}
previous-and-next = Previous and next pages
previous = Previous
next = Next

## Review dates and sources

# A date: $day is the day of the month, $month the month's name below.
date = { $day } { $month } { $year }
month-1 = January
month-2 = February
month-3 = March
month-4 = April
month-5 = May
month-6 = June
month-7 = July
month-8 = August
month-9 = September
month-10 = October
month-11 = November
month-12 = December

last-reviewed = Page last reviewed:
next-review = Next review due:
sources = Sources

## Care cards and callouts: read out before their heading by screen readers

emergency-card = Immediate action required:
urgent-card = Urgent advice:
non-urgent-card = Non-urgent advice:
warning-callout = Important:
info-callout = Information:
# The headings of a list of what to do and of what not to do, when the page
# gives none.
do-list = Do
dont-list = Do not
# The heading of an important callout, when the page gives none.
warning-heading = Important

## Translations

# After a link to a page that has no translation, so it goes to the English one.
in-english = (in English)
# On a translation whose English page has changed since. $link is a link to the
# English page.
out-of-step = The English version of this page has changed since this translation was checked. { $link } has the latest advice.
out-of-step-link = The English page
# On a translation shown only because the build has drafts.
not-assured = This translation has not been checked yet. Do not use it for advice about your baby's health.
# On a language's home page, above the list of every page in that language.
pages-in-language = { $count ->
    [one] There is 1 page in { $language }
   *[other] There are { $count } pages in { $language }
}

## A council's local lines, on the urgent help and getting support pages

local-lines = Local phone lines from { $council }
mental-health-heading = Urgent help with your mental health
# How to call the council's urgent mental health line: $phone is its number, as a
# link, and $times its opening times, after a comma, when it has them.
mental-health-call = Call { $phone }{ $times }.
# The same, for a line with a name, such as "Saltmarsh Vale crisis line".
mental-health-call-named = Call the { $name } on { $phone }{ $times }.
mental-health-also = You can also call { $call111 } and choose the mental health option.
health-visiting-heading = Your health visiting team
not-an-emergency = The health visiting team is not an emergency service. If your baby needs help now, use the numbers at the top of this page.
# $date is the date, such as 12 November 2026.
last-checked = { $council } last checked these details on { $date }.
phone-label = Phone:
email-label = Email:
website-label = Website
open-label = Open:

## A council's local services, on the getting support page

local-services = Local services from { $council }
# $hubs is what the council calls its family hubs, such as "family hubs".
your-hubs = Your { $hubs }
# A tier of the council's services: $tier is one of the three names below it.
tier-near-you = { $tier } near you
tier-getting-advice = Getting advice
tier-getting-help = Getting help
tier-getting-more-help = Getting more help
# How to get a service.
access-drop-in = Drop in: you do not need an appointment.
access-self-referral = You can contact them yourself.
access-referral = Your health visitor, GP or midwife can refer you.
who-for-label = Who it is for:
where-label = Where:
access-label = Access:
# $offer is what the council calls its offer, such as "Start for Life offer".
offer-link = The { $offer } from { $council }
# $link is a link to the council's page about its offer, with the words of offer-link.
offer-lists = { $link } lists all the support for families in the area.
no-council-heading = Local services
no-council-services = Each council that publishes this guide adds its own local services to this page. These include its family hubs, the health visiting team's phone line and local mental health support.
no-council-yet = If you cannot see them here yet, your council's website lists the support for parents of babies in your area.

## The page for an address that is not there

not-found = Page not found
not-found-here = We cannot find the page you asked for.
not-found-address = If you typed the web address, check it is right. If you pasted it, check you copied all of it.
# $link is a link to the home page, with the words of not-found-home-link.
not-found-home = You can { $link } and find what you need from there.
not-found-home-link = go to the home page

## The page at an old address, which sends the reader on to the page

moved = This page has moved.
# $title is the page's title.
moved-go-to = Go to { $title }

## The footer

help-now = If you need help now
help-999 = Call { $call999 } if your baby or anyone else is in danger now.
help-111 = Call { $call111 } if you are worried about your baby and need advice today.
help-mental-health = Call { $call111 } and choose the mental health option if you are struggling to cope.
# $link is a link to the urgent help page, with the words of urgent-help-page.
help-urgent-page = { $link } lists every sign to call 999 or 111, and what is open at night.
urgent-help-page = Urgent help for you and your baby
help-from = Help from { $council }
accessibility-title = Accessibility statement
privacy-title = Privacy and cookies
about-this-site = About this website
health-visiting-team = Health visiting team
urgent-mental-health-line = Urgent mental health line

## The whole guide to print, at /print/, and the crying plan

print-title = The whole guide to print
print-intro = Every page of this guide, to print, to share or to read without the internet.
# For a guide too long to print as one: the contents list then links to each page.
print-too-long = This guide has too many pages to print as one. Open the pages you need from the list below and print each one.
# $date is the day this copy was made, such as 4 December 2026.
print-made-on = This copy was made on { $date }. The website always has the latest advice.
print-scan = Scan the code with your phone camera to open the website, or type this address:
plan-people = People I can call
plan-people-hint = Write down the people who can talk to you, or take over for a while when you need a break.
plan-who = Who
plan-name = Name
plan-phone = Phone number
plan-take-over = Someone who can take over
plan-talk = Someone I can talk to
plan-gp = My GP surgery
plan-health-visitor = My health visitor

## Finding things: the search form on every page, the A to Z at /a-z/, and the
## search page at /search/

search-label = Search this guide
search-button = Search
search-title = Search this guide
search-description = Search this guide, or find a topic in its A to Z.
search-searching = Searching…
# The search page's script puts the words searched for where %query% is, and the
# number of pages found where %count% is: keep both as they are.
search-found = Pages found for “%query%”: %count%
search-none = No pages found for “%query%”. Try another word, or find a topic in the A to Z below.
search-failed = The search is not working right now. Find a topic in the A to Z below.
search-a-z = Every topic in this guide, from A to Z. This list works without the search.
a-z-title = A to Z
a-z-description = Every topic in this guide, from A to Z, in the words parents use.
a-z-intro = Find a topic by the word you use. Each one leads to the part of the guide that tells you about it.
a-z-letters = Letters
a-z-empty = This guide has no topics to list yet.
