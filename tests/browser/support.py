"""Steps the browser journeys share."""

DEMO_PASSWORD = "vernetzt-demo-2022"


def log_in(page, email, code=None):
    """Log in as a demo user on the German login page; ``code`` gives a current TOTP code."""
    page.goto("/de/accounts/login/")
    page.locator("input[name='login']").fill(email)
    page.locator("input[name='password']").fill(DEMO_PASSWORD)
    page.locator("main .btn-primary").click()
    if code:
        page.locator("input[name='code']").fill(code())
        page.locator("main form:has(input[name='code']) .btn-primary").click()
    page.wait_for_url("**/de/")
