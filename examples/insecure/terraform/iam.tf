# A CI user with a static key that never rotates, no owner, and every Bedrock action on every model.
resource "aws_iam_user" "bedrock_ci" {
  name = "bedrock-ci"
  tags = {
    owner = "tbd"
  }
}

resource "aws_iam_access_key" "bedrock_ci" {
  user = aws_iam_user.bedrock_ci.name
}

resource "aws_iam_user_policy" "bedrock_ci" {
  name = "bedrock-everything"
  user = aws_iam_user.bedrock_ci.name
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = ["bedrock:*"]
      Resource = "*"
    }]
  })
}

# One role for two functions: a compromise of either is a compromise of both.
resource "aws_iam_role" "chat" {
  name               = "chat-functions"
  assume_role_policy = data.aws_iam_policy_document.lambda_assume.json
}

data "aws_iam_policy_document" "lambda_assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["lambda.amazonaws.com"]
    }
  }
}
