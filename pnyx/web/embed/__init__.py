"""The reader's widget: the thread rendered on the server as HTML fragments, counts, embed.js and embed.css."""
