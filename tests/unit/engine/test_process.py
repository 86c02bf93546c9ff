import subprocess
import sys

from scenegen.engine.process import is_gone, machine_id, this_process


def test_a_process_of_this_machine_is_gone_once_it_ended_and_alive_while_it_runs():
    me = this_process()
    assert is_gone(me.machine, me.pid, me.started) is False
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        import psutil

        started = psutil.Process(child.pid).create_time()
        assert is_gone(machine_id(), child.pid, started) is False
    finally:
        child.kill()
        child.wait()
    assert is_gone(machine_id(), child.pid, started) is True


def test_a_reused_process_id_is_another_process_and_another_machine_cannot_be_told():
    me = this_process()
    assert is_gone(me.machine, me.pid, me.started - 3600) is True  # the same id, started another time
    assert is_gone("another-machine/pid:[1]", me.pid, me.started) is None
