"""The load generator: a separate process that plays hospitals and phones over HTTP.

    python -m bench.drive < config.json > result.json

Closed loop: `concurrency` callers, each on its own keep-alive connection, send the next
request as soon as the previous answer arrives. Every call's latency is recorded by name;
the first `warmup` seconds are not. A call that answers anything but success counts as an
error and its message is kept, so a run that "goes fast" by failing cannot pass unnoticed.

HTTP goes through `bench.wire`, a lean keep-alive client on raw asyncio streams: the load
generator runs on the same two cores as the system, so what it spends per call is taken from
what it measures. Over the measured window it also reads, from /proc, the CPU time of the
service's processes and of its database's PostgreSQL backends (`watch` in the configuration),
and its own: CPU per call of each beside the throughput.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import sys
import time
from collections import defaultdict
from collections.abc import Awaitable, Callable, Iterator
from typing import Any

from bench import his, machine, pharmacy, wire
from bench.stats import summary_ms
from bench.wire import Refused, TransportError
from medshared import jsonutil

__all__ = ["Hospitals", "Recorder", "Refused", "TransportError", "closed_loop"]

# The service under load and its databases (set from the configuration's `watch`).
_watch: machine.Usage | None = None


class Window:
    """CPU used over the measured window: the service, its PostgreSQL backends, this process."""

    def __init__(self) -> None:
        self.start: dict[str, Any] | None = None
        self.end: dict[str, Any] | None = None

    @staticmethod
    def _sample() -> dict[str, Any]:
        out: dict[str, Any] = {"wall": time.monotonic(), "client": time.process_time()}
        if _watch is not None:
            out["system"] = _watch.sample()
        return out

    def open(self) -> None:
        self.start, self.end = self._sample(), None

    def close(self) -> None:
        if self.start is not None and self.end is None:
            self.end = self._sample()

    def result(self, calls: int, units: int) -> dict[str, Any]:
        if self.start is None:
            return {}
        self.close()
        assert self.end is not None
        start, end = self.start, self.end
        seconds = {"client": end["client"] - start["client"]}
        if "system" in start:
            seconds |= machine.Usage.used(start["system"], end["system"])
        wall = end["wall"] - start["wall"]
        return {
            "window_s": round(wall, 3),
            "calls": calls,
            "units": units,
            "seconds": {k: round(v, 4) for k, v in seconds.items()},
            "ms_per_call": {k: round(1000 * v / calls, 4) if calls else None for k, v in seconds.items()},
            "ms_per_unit": {k: round(1000 * v / units, 4) if units else None for k, v in seconds.items()},
            "client_share": round(100 * seconds["client"] / wall, 1) if wall > 0 else None,
        }


class Recorder:
    def __init__(self, warmup: float) -> None:
        self.start = time.monotonic()
        self.measure_from = self.start + warmup
        self.measure_to = float("inf")
        self.latencies: dict[str, list[float]] = defaultdict(list)
        self.completed = 0
        self.calls = 0
        self.errors = 0
        self.messages: list[str] = []
        self.window = Window()
        if warmup <= 0:
            self.window.open()  # measured from now until the result is read

    def measuring(self, at: float) -> bool:
        return self.measure_from <= at <= self.measure_to

    async def timed(self, name: str, call: Awaitable[Any]) -> Any:
        t0 = time.monotonic()
        measured = self.measuring(t0)
        if measured:
            self.calls += 1
        try:
            result = await call
        except Refused as exc:
            self.errors += 1
            if len(self.messages) < 5:
                self.messages.append(f"{name}: {exc}")
            raise
        if measured:
            self.latencies[name].append(time.monotonic() - t0)
        return result

    def done(self, at: float) -> None:
        if self.measuring(at):
            self.completed += 1

    def result(self, elapsed: float) -> dict[str, Any]:
        return {
            "elapsed": round(elapsed, 3),
            "completed": self.completed,
            "throughput": round(self.completed / elapsed, 1) if elapsed > 0 else 0.0,
            "errors": self.errors,
            "error_messages": self.messages,
            "latency_ms": {name: summary_ms(values) for name, values in sorted(self.latencies.items())},
            "all_calls_ms": summary_ms([v for values in self.latencies.values() for v in values]),
            "cpu": self.window.result(self.calls, self.completed),
        }


class Hospitals:
    """National calls through the front door, one msgid sequence per run."""

    def __init__(self, client: wire.Client, run: int) -> None:
        self.client = client
        self.msgids = his.MsgIds(run)
        self.sign_no: dict[str, str] = {}

    async def call(self, hospital: his.Hospital, infno: str, input_: dict[str, Any], insuplc: str = "") -> Any:
        body = his.envelope(
            hospital,
            infno,
            self.msgids.next(hospital.code),
            input_,
            sign_no=self.sign_no.get(hospital.code, ""),
            insuplc=insuplc,
        )
        content, headers = his.encode(body, hospital)
        answer = await self.client.send("POST", self.client.build("POST", his.PATH, content, headers))
        if answer.status_code != 200:
            raise Refused(f"HTTP {answer.status_code}: {answer.text[:200]}")
        decoded = jsonutil.loads(answer.content)
        if decoded["infcode"] != 0:
            raise Refused(str(decoded["err_msg"]))
        return decoded["output"]

    async def sign_in(self, hospital: his.Hospital) -> None:
        output = await self.call(hospital, "9001", his.sign_in_input())
        self.sign_no[hospital.code] = output["signinoutb"]["sign_no"]

    async def open_visit(self, rec: Recorder, hospital: his.Hospital, p: his.Person, otp_no: str) -> str:
        """2201 -> 2203 -> 2204 (five lines) -> 2206: a visit ready to settle."""
        registered = await rec.timed("2201", self.call(hospital, "2201", his.register_input(p, otp_no), p.pool))
        mdtrt_id = str(registered["data"]["mdtrt_id"])
        await rec.timed("2203", self.call(hospital, "2203", his.visit_info_input(p, mdtrt_id), p.pool))
        await rec.timed("2204", self.call(hospital, "2204", his.fees_input(p, mdtrt_id), p.pool))
        await rec.timed("2206", self.call(hospital, "2206", his.settle_input(p, mdtrt_id), p.pool))
        return mdtrt_id

    async def settle(self, rec: Recorder, hospital: his.Hospital, p: his.Person, mdtrt_id: str) -> None:
        await rec.timed("2207", self.call(hospital, "2207", his.settle_input(p, mdtrt_id), p.pool))


async def closed_loop(
    concurrency: int, duration: float, rec: Recorder, step: Callable[[int, int], Awaitable[None]]
) -> float:
    """Run `step(worker, n)` in `concurrency` loops until `duration` is over; returns measured seconds."""
    deadline = rec.start + duration
    rec.measure_to = deadline

    async def worker(w: int) -> None:
        for n in itertools.count():
            if time.monotonic() >= deadline:
                return
            try:
                await step(w, n)
            except Refused:
                await asyncio.sleep(0.01)
            else:
                rec.done(time.monotonic())

    async def window() -> None:
        # The CPU window is the latency window: from the end of the warmup to the deadline.
        await asyncio.sleep(max(0.0, rec.measure_from - time.monotonic()))
        rec.window.open()
        await asyncio.sleep(max(0.0, deadline - time.monotonic()))
        rec.window.close()

    await asyncio.gather(window(), *(worker(w) for w in range(concurrency)))
    return deadline - rec.measure_from


def _client(url: str, concurrency: int) -> wire.Client:
    return wire.Client(url, limit=concurrency, timeout=60.0, connect_timeout=5.0)


async def healthz(cfg: dict[str, Any]) -> dict[str, Any]:
    rec = Recorder(cfg["warmup"])
    async with _client(cfg["url"], cfg["concurrency"]) as client:
        request = client.build("GET", "/healthz")  # the same bytes every time

        async def get() -> None:
            answer = await client.send("GET", request)
            if answer.status_code != 200:
                raise Refused(f"HTTP {answer.status_code}: {answer.text[:200]}")

        async def step(_w: int, _n: int) -> None:
            await rec.timed("healthz", get())

        elapsed = await closed_loop(cfg["concurrency"], cfg["duration"], rec, step)
    return rec.result(elapsed)


def _hospitals(cfg: dict[str, Any]) -> list[his.Hospital]:
    return [his.Hospital(**h) for h in cfg["hospitals"]]


def _people(cfg: dict[str, Any]) -> list[his.Person]:
    return [his.Person(**p) for p in cfg["people"]]


async def visits(cfg: dict[str, Any]) -> dict[str, Any]:
    """The outpatient chain, many hospitals and people; a completion is a settled visit."""
    hospitals, people, n_workers = _hospitals(cfg), _people(cfg), cfg["concurrency"]
    async with _client(cfg["url"], n_workers) as client:
        front = Hospitals(client, cfg["run"])
        for h in hospitals:
            await front.sign_in(h)
        rec = Recorder(cfg["warmup"])

        async def step(w: int, n: int) -> None:
            hospital = hospitals[w % len(hospitals)]
            p = people[(w + n * n_workers) % len(people)]
            mdtrt_id = await front.open_visit(rec, hospital, p, f"MZ{w}-{n}")
            await front.settle(rec, hospital, p, mdtrt_id)

        elapsed = await closed_loop(n_workers, cfg["duration"], rec, step)
    return rec.result(elapsed)


async def settle_only(cfg: dict[str, Any]) -> dict[str, Any]:
    """2207 alone: visits are first opened up to 2206 (not measured), then settled as fast as possible."""
    hospitals, people, n_workers, count = _hospitals(cfg), _people(cfg), cfg["concurrency"], cfg["count"]
    async with _client(cfg["url"], max(n_workers, 16)) as client:
        front = Hospitals(client, cfg["run"])
        for h in hospitals:
            await front.sign_in(h)
        prep = Recorder(0)
        ready: list[tuple[his.Hospital, his.Person, str]] = []
        todo = iter(range(count))

        async def opener() -> None:
            for i in todo:
                hospital, p = hospitals[i % len(hospitals)], people[i % len(people)]
                ready.append((hospital, p, await front.open_visit(prep, hospital, p, f"SE{i}")))

        await asyncio.gather(*(opener() for _ in range(16)))
        rec = Recorder(0)
        queue = iter(ready)

        async def settler() -> None:
            for hospital, p, mdtrt_id in queue:
                try:
                    await front.settle(rec, hospital, p, mdtrt_id)
                except Refused:
                    continue
                rec.done(time.monotonic())

        t0 = time.monotonic()
        await asyncio.gather(*(settler() for _ in range(n_workers)))
        elapsed = time.monotonic() - t0
    return rec.result(elapsed) | {"prepared": len(ready), "prepare_errors": prep.messages}


async def resolve(cfg: dict[str, Any]) -> dict[str, Any]:
    """1101 for each certno until settlement knows them all: who is settleable, with psn_no."""
    hospital = _hospitals(cfg)[0]
    found: dict[str, dict[str, str]] = {}
    deadline = time.monotonic() + cfg["timeout"]
    async with _client(cfg["url"], 16) as client:
        front = Hospitals(client, cfg["run"])
        await front.sign_in(hospital)
        pending = list(cfg["certnos"])

        async def worker(batch: Iterator[str], missing: list[str]) -> None:
            for certno in batch:
                try:
                    out = await front.call(hospital, "1101", his.person_query_input(certno))
                except Refused:
                    missing.append(certno)
                    continue
                insu = out["insuinfo"][0]
                found[certno] = {
                    "psn_no": out["baseinfo"]["psn_no"],
                    "certno": certno,
                    "pool": insu["insuplc_admdvs"],
                    "insutype": insu["insutype"],
                }

        while pending and time.monotonic() < deadline:
            missing: list[str] = []
            batch = iter(pending)
            await asyncio.gather(*(worker(batch, missing) for _ in range(16)))
            pending = missing
            if pending:
                await asyncio.sleep(1.0)
    return {"people": [found[c] for c in cfg["certnos"] if c in found], "missing": len(pending)}


async def mint(cfg: dict[str, Any]) -> dict[str, Any]:
    """Phones log in, activate their e-vouchers and show `per_phone` QR codes each."""
    codes: list[str] = []
    messages: list[str] = []
    async with _client(cfg["url"], 16) as client:

        async def phone(i: int, name: str, certno: str) -> None:
            # The same account each repeat: a person's voucher is bound to one WeChat account.
            login = await client.post("/mobile/v1/sessions", json={"code": f"code-bench-{i}"})
            if login.status_code != 201:
                messages.append(login.text[:200])
                return
            auth = {"authorization": f"Bearer {login.json()['session_token']}"}
            if login.json().get("voucher") is None:
                # The development face check first, as the real face-check SDK would run on the phone.
                checked = await client.post(
                    "/dev/v1/face-checks", json={"psn_name": name, "certno": certno}, headers=auth
                )
                if checked.status_code != 201:
                    messages.append(f"face check: {checked.text[:200]}")
                    return
                body = {"psn_name": name, "certno": certno, "identity_ticket": checked.json()["identity_ticket"]}
                activated = await client.post("/mobile/v1/voucher/activation", json=body, headers=auth)
                if activated.status_code != 201:
                    messages.append(f"activation: {activated.text[:200]}")
                    return
            for _ in range(cfg["per_phone"]):
                shown = await client.post("/mobile/v1/qrcodes", json={}, headers=auth)
                if shown.status_code != 201:
                    messages.append(shown.text[:200])
                    return
                codes.append(shown.json()["qr_code"])

        await asyncio.gather(*(phone(i, name, certno) for i, (name, certno) in enumerate(cfg["phones"])))
    return {"codes": codes, "error_messages": messages[:5]}


async def decode(cfg: dict[str, Any]) -> dict[str, Any]:
    """ec.query at the counter: each code decoded once, by one of the hospitals."""
    hospitals = _hospitals(cfg)
    rec = Recorder(0)
    codes = iter(enumerate(cfg["codes"]))
    async with _client(cfg["url"], cfg["concurrency"]) as client:

        async def one(hospital: his.Hospital, code: str) -> None:
            body = {
                "orgId": hospital.code,
                "transType": "ec.query",
                "data": {
                    "qrCode": code,
                    "businessType": "01101",
                    "operatorId": "op1",
                    "operatorName": "收费员",
                    "officeId": "D01",
                    "officeName": "内科",
                },
            }
            answer = await client.post(
                "/fsi/api/hsecfc/localQrCodeQuery",
                json=body,
                headers=his.gateway_headers(hospital.code, hospital.ec_token),
            )
            decoded = (
                answer.json() if answer.status_code == 200 else {"code": -1, "message": f"HTTP {answer.status_code}"}
            )
            if decoded["code"] != 0:
                raise Refused(str(decoded["message"]))

        async def worker() -> None:
            for i, code in codes:
                try:
                    await rec.timed("ec.query", one(hospitals[i % len(hospitals)], code))
                except Refused:
                    continue
                rec.done(time.monotonic())

        t0 = time.monotonic()
        await asyncio.gather(*(worker() for _ in range(cfg["concurrency"])))
        elapsed = time.monotonic() - t0
    return rec.result(elapsed)


WORKLOADS: dict[str, Callable[[dict[str, Any]], Awaitable[dict[str, Any]]]] = {
    "healthz": healthz,
    "visits": visits,
    "settle": settle_only,
    "resolve": resolve,
    "mint": mint,
    "decode": decode,
    "pharmacy": pharmacy.purchases,
}


def main() -> None:
    global _watch
    cfg = json.load(sys.stdin)
    if cfg.get("watch"):
        _watch = machine.Usage(cfg["watch"]["pid"], cfg["watch"]["databases"])
    result = asyncio.run(WORKLOADS[cfg["workload"]](cfg))
    json.dump(result, sys.stdout)


if __name__ == "__main__":
    # Run as `bench.drive`, the module the workloads in other files import (pharmacy's), not as a
    # second copy of it: the watched service set by `main` is then the one every Recorder reads.
    from bench import drive

    drive.main()
