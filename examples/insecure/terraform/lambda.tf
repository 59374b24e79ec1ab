resource "aws_lambda_function" "chat" {
  function_name = "chat"
  role          = aws_iam_role.chat.arn
  runtime       = "python3.12"
  handler       = "app.handler"
  filename      = "chat.zip"

  environment {
    variables = {
      OPENAI_SECRET_ARN = aws_secretsmanager_secret.openai.arn
    }
  }
}

resource "aws_lambda_function" "summarize" {
  function_name = "summarize"
  role          = aws_iam_role.chat.arn
  runtime       = "python3.12"
  handler       = "app.handler"
  filename      = "summarize.zip"

  environment {
    variables = {
      ANTHROPIC_API_KEY = "sk-ant-api03-Q1w2E3r4Q1w2E3r4Q1w2E3r4Q1w2E3r4Q1w2E3r4"
    }
  }
}
