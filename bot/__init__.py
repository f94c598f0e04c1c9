"""iamrole-bot: diagnoses AWS IAM role errors pasted into Slack and replies with the fix."""
