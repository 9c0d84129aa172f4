"""Communication: analyses and comments, announcements with their read marks, awareness
pulses (answers kept apart from who answered), and best practices with their attachments
and endorsements."""

from .announcements import Announcement, AnnouncementRead
from .commentary import COMMENT_SUBJECTS, MONTHLY_SUBJECTS, Analysis, Comment
from .practices import Endorsement, Practice, PracticeAttachment
from .pulses import Pulse, PulseAnswer, PulseRespondent

__all__ = [
    "COMMENT_SUBJECTS",
    "MONTHLY_SUBJECTS",
    "Analysis",
    "Announcement",
    "AnnouncementRead",
    "Comment",
    "Endorsement",
    "Practice",
    "PracticeAttachment",
    "Pulse",
    "PulseAnswer",
    "PulseRespondent",
]
