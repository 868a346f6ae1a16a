// postdesk calls: the push connection (server-sent events) of the workbench and wallboard.
// Reconnects by itself (with back-off); every (re)connection starts with a "hello"
// snapshot, so a page that missed messages while disconnected is brought up to date.
(function () {
  const root = document.querySelector("[data-push-url]");
  if (!root || !window.EventSource) return;
  const url = root.dataset.pushUrl;
  const status = document.getElementById("push-status");
  let source = null;
  let backoff = 1000;
  window.__postdeskPush = { received: [], connected: false };

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

  function connect() {
    source = new EventSource(url, { withCredentials: true });
    source.addEventListener("hello", (e) => {
      backoff = 1000;
      setStatus("live");
      const data = JSON.parse(e.data);
      if (data.call) showPop(data.call, "hello");
      refresh("#agent-state");
      refreshBoard();
    });
    source.addEventListener("call", (e) => {
      const data = JSON.parse(e.data);
      window.__postdeskPush.received.push({ call: data.call, call_id: data.call_id, event: data.event, sent: data.sent, at: Date.now() });
      showPop(data.call, data.event);
      refresh("#recent-calls");
    });
    source.addEventListener("state", () => refresh("#agent-state"));
    source.addEventListener("tick", refreshBoard);
    source.addEventListener("resync", () => { refresh("#agent-state"); refreshBoard(); });
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
