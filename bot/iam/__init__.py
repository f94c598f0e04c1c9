"""A local IAM policy evaluator: the policy model, conditions, principals and the AssumeRole verdict.

Local because the IAM policy simulator ignores trust policies for sts:Assume* and no maintained Python
library evaluates trust conditions correctly; three-valued because the bot rarely knows the whole request.
"""
