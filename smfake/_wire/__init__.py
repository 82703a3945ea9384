"""The wire: JSON 1.1 requests in, AWS-shaped HTTP responses out, and the botocore hook."""
