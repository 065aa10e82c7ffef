"""Work that happens later: the outbox, notifications (in the app and by e-mail), reminders, the job queue."""
