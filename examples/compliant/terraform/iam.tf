# A key that is replaced every 30 days, scoped to invoking two models.
resource "time_rotating" "bedrock_ci" {
  rotation_days = 30
}

resource "aws_iam_user" "bedrock_ci" {
  name = "bedrock-ci"
}

resource "aws_iam_access_key" "bedrock_ci" {
  user = aws_iam_user.bedrock_ci.name

  lifecycle {
    create_before_destroy = true
    replace_triggered_by  = [time_rotating.bedrock_ci.id]
  }
}

data "aws_iam_policy_document" "invoke_models" {
  statement {
    actions = ["bedrock:InvokeModel", "bedrock:InvokeModelWithResponseStream"]
    resources = [
      "arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-3-5-sonnet-20240620-v1:0",
      "arn:aws:bedrock:us-east-1::foundation-model/amazon.titan-embed-text-v2:0",
    ]
  }
  statement {
    actions   = ["bedrock:ListFoundationModels"]
    resources = ["*"]
  }
}

resource "aws_iam_user_policy" "bedrock_ci" {
  name   = "invoke-models"
  user   = aws_iam_user.bedrock_ci.name
  policy = data.aws_iam_policy_document.invoke_models.json
}

# One role per function.
data "aws_iam_policy_document" "lambda_assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["lambda.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "chat" {
  name               = "chat-function"
  assume_role_policy = data.aws_iam_policy_document.lambda_assume.json
}

resource "aws_iam_role_policy" "chat" {
  name = "read-openai-key"
  role = aws_iam_role.chat.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = ["secretsmanager:GetSecretValue"]
      Resource = aws_secretsmanager_secret.openai.arn
    }]
  })
}
