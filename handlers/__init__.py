"""Thin Slack listeners: acknowledge, hand over to bot/, render."""
