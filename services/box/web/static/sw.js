// The service worker: shows a push notification (never the message itself: the notifier
// sends only who wrote and what to do), and opens the box when it is clicked.
self.addEventListener("push", (event) => {
  const data = event.data ? event.data.json() : {};
  const title = data.title || "Nieuw bericht in uw Berichtenbox";
  event.waitUntil(self.registration.showNotification(title, { body: data.body || "", data: { url: data.url || "/berichten" } }));
});
self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  event.waitUntil(clients.openWindow(event.notification.data.url));
});
