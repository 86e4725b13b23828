from pos_returns.cli.main import run

run()
