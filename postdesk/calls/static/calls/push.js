// postdesk calls: the push connection (server-sent events) of the workbench and wallboard.
// Reconnects by itself (with back-off); every (re)connection starts with a "hello"
// snapshot, so a page that missed messages while disconnected is brought up to date.
// Every message carries the connection's sequence number (the hello is 0): a hole in the
// numbers, or a "resync" from the server (it lost messages: Redis was away), makes the
// page refetch its state — the pop of the current call, the agent state, the wallboard.
(function () {
  const root = document.querySelector("[data-push-url]");
  if (!root || !window.EventSource) return;
  const url = root.dataset.pushUrl;
  const status = document.getElementById("push-status");
  let source = null;
  let backoff = 1000;
  window.__postdeskPush = { received: [], connected: false, resyncs: 0, seq: 0 };
  let seq = 0;

  function setStatus(state) {
    window.__postdeskPush.connected = state === "live";
    root.dataset.pushState = state;
    if (status) status.textContent = status.dataset[state] || state;
  }

  function refresh(selector) {
    const el = document.querySelector(selector);
    if (el && el.getAttribute("hx-get")) htmx.trigger(el, "refresh");
  }

  let boardTimer = null, boardLast = 0;
  function refreshBoard() {
    const wait = Math.max(0, 1000 - (Date.now() - boardLast));
    if (boardTimer) return;
    boardTimer = setTimeout(() => { boardTimer = null; boardLast = Date.now(); refresh("#wallboard"); }, wait);
  }

  function showPop(callId, event) {
    const target = document.getElementById("pop");
    if (!target || !callId) return;
    const same = target.dataset.call === String(callId);
    target.dataset.call = String(callId);
    htmx.ajax("GET", "/calls/pop/" + callId + "/", { target: "#pop", swap: "innerHTML" });
    if (!same && event !== "hello" && document.hidden && window.Notification &&
        Notification.permission === "granted") {
      new Notification(target.dataset.title || "Incoming call");
    }
  }

  // The pop of whatever call the agent is on now (or the empty pop).
  function refetchPop() {
    const target = document.getElementById("pop");
    if (!target) return;
    fetch("/calls/pop/current/", { credentials: "same-origin", headers: { "HX-Request": "true" } })
      .then((r) => r.ok ? r.text().then((html) => ({ html, call: r.headers.get("X-Call") || "" })) : null)
      .then((got) => {
        if (!got) return;
        target.dataset.call = got.call;
        target.innerHTML = got.html;
        htmx.process(target);
      })
      .catch(() => {});
  }

  function resync(why) {
    window.__postdeskPush.resyncs += 1;
    window.__postdeskPush.lastResync = why;
    refetchPop();
    refresh("#agent-state");
    refresh("#recent-calls");
    refreshBoard();
  }

  // Each frame's number follows the last one, else something was lost on the way.
  function track(e) {
    const data = JSON.parse(e.data);
    if (typeof data.seq === "number") {
      if (data.seq > seq + 1) { seq = data.seq; window.__postdeskPush.seq = seq; resync("gap"); return null; }
      seq = data.seq;
      window.__postdeskPush.seq = seq;
    }
    return data;
  }

  function connect() {
    source = new EventSource(url, { withCredentials: true });
    source.addEventListener("hello", (e) => {
      backoff = 1000;
      setStatus("live");
      const data = JSON.parse(e.data);
      seq = 0;
      if (data.call) showPop(data.call, "hello");
      refresh("#agent-state");
      refreshBoard();
    });
    source.addEventListener("call", (e) => {
      const data = track(e);
      if (!data) return;
      window.__postdeskPush.received.push({ call: data.call, call_id: data.call_id, event: data.event, sent: data.sent, at: Date.now() });
      showPop(data.call, data.event);
      refresh("#recent-calls");
    });
    source.addEventListener("state", (e) => { if (track(e)) refresh("#agent-state"); });
    source.addEventListener("tick", (e) => { if (track(e)) refreshBoard(); });
    source.addEventListener("resync", (e) => { track(e); resync("server"); });
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
