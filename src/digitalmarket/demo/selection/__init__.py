"""Demo selection, played on the calendar like the trade: monthly committee rounds from 2024 on that
select the catalog's services (`demo/services.py`), then the demo accounts' applications in every state of
selection around today: the last round decided (one selected and published, one rejected) and the next
one open with two applications and some votes cast.

Every step is dated: the supplier drafts and submits, the operator checks the documents (sometimes asking
for a supplement), accepts, has the experts pre-review and sends the application to the committee; the
reviewers declare and vote in the days before the meeting; the operator closes the round on the meeting
day and publishes each selected service a few days later, when it gets its code of that year.

`rounds` holds the committee's calendar, `world` who acts and one application's whole story, and
`applications` the demo accounts' own applications.
"""
