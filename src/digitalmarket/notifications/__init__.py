"""After the contract: e-mail from the notification outbox, users' choices of what they receive, daily
reminders of deadlines (alerts) and the worker that runs both."""
