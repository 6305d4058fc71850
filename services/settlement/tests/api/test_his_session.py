from settlement.examples import his_session


def test_the_documented_his_session_runs_from_sign_in_to_reversal(client, capsys):
    his_session.run("http://testserver", "demo-H54010000001", http=client)

    printed = capsys.readouterr().out
    for infno in ("9001", "1101", "2201", "2203", "2204", "2206", "2207", "2208"):
        assert f"--- {infno}: infcode 0" in printed
    assert '"hifp_pay":60.00' in printed  # 200 of fees, 100 deductible, 60% of the rest
