"""`digitnet serve`: the page's local web server and everything behind it.

server.py makes the server, handler.py answers each request (routes, Host/Origin checks,
bodies); session.py holds the network, the data and the run under way, with one worker thread
(worker.py) that alone touches the network; run.py is a run's network, controls and records;
live_view.py what the page reads while the worker trains (the view, the viewer's weights, the
snapshots), view_parts.py computes its parts; teach.py teaches a drawing, drawing.py reads one;
requests.py checks the JSON bodies, options.py says what the Train panel offers, errors.py what
the errors mean in HTTP, save_folder.py where the page saves, log.py is its one logger; static/
is the page itself (index.html, style.css, and the ES modules of static/js, one per panel).
"""

from __future__ import annotations

from .log import LOG
from .server import make_server, new_session

__all__ = ["LOG", "make_server", "new_session"]
