"""`digitnet serve`: the page's local web server and everything behind it.

server.py answers HTTP (routes, Host/Origin checks, bodies); session.py holds the network, the
data and the run under way, with one worker thread (worker.py) that alone touches the network;
run.py is a run's controls and records, views.py what the page shows and the snapshots,
teach.py teaching a drawing, drawing.py reading one, requests.py the JSON bodies, errors.py
what the errors mean in HTTP, save_folder.py where the page saves, log.py its one logger;
static/ is the page itself.
"""

from __future__ import annotations

from .log import LOG
from .server import make_server, new_session

__all__ = ["LOG", "make_server", "new_session"]
