"""Google backends: Gemini image and prompt writer, Firestore history, GCS storage."""
