// postdesk workforce: the live seat map. It listens to the same push stream as the
// wallboard (server-sent events, topic "wallboard") and reloads the map's panel when an
// agent's state changes; the seconds in each state count up between reloads.
(function () {
  const root = document.querySelector("[data-floor-push]");
  if (!root) return;
  const status = document.getElementById("push-status");
  window.__postdeskFloor = { refreshed: 0, connected: false };
  let timer = null, last = 0;

  function setStatus(state) {
    window.__postdeskFloor.connected = state === "live";
    root.dataset.pushState = state;
    if (status) status.textContent = status.dataset[state] || state;
  }

  function refresh() {
    if (timer) return;
    const wait = Math.max(0, 500 - (Date.now() - last));
    timer = setTimeout(() => {
      timer = null;
      last = Date.now();
      const el = document.getElementById("seatmap");
      if (el && window.htmx) { htmx.trigger(el, "refresh"); window.__postdeskFloor.refreshed += 1; }
    }, wait);
  }

  setInterval(() => {
    document.querySelectorAll("#seatmap .elapsed[data-seconds]").forEach((el) => {
      const s = Number(el.dataset.seconds) + 1;
      el.dataset.seconds = String(s);
      el.textContent = s < 60 ? s + " s" : Math.floor(s / 60) + " min " + (s % 60) + " s";
    });
  }, 1000);

  if (!window.EventSource) return;
  let backoff = 1000;
  function connect() {
    const source = new EventSource(root.dataset.floorPush, { withCredentials: true });
    source.addEventListener("hello", () => { backoff = 1000; setStatus("live"); refresh(); });
    source.addEventListener("tick", refresh);
    source.addEventListener("resync", refresh);
    source.onerror = () => {
      setStatus("reconnecting");
      if (source.readyState === EventSource.CLOSED) {
        source.close();
        setTimeout(connect, backoff);
        backoff = Math.min(backoff * 2, 30000);
      }
    };
  }
  connect();
})();
