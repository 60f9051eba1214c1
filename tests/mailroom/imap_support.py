"""For the IMAP tests (test_imap_*.py): a folder of its own in the throwaway dovecot mailbox
(`imap_server`, tests/conftest.py), and the firm's Mailbox reading it."""

import uuid

from imapclient import IMAPClient

from mailroom.models import Mailbox


def imap_login(server) -> IMAPClient:
    client = IMAPClient(server.host, port=server.port, ssl=False, timeout=10)
    client.login(server.user, server.password)
    return client


class Folder:
    """A folder made for one test, and the messages put in it (as a mail server would)."""

    def __init__(self, server):
        self.server = server
        self.name = f"hs-test-{uuid.uuid4().hex[:12]}"
        self.client = imap_login(server)
        self.client.create_folder(self.name)

    def append(self, *raws: bytes) -> None:
        for raw in raws:
            self.client.append(self.name, raw)

    def recreate(self) -> None:
        """Delete the folder and make it again: the server gives it a new UIDVALIDITY."""
        self.client.delete_folder(self.name)
        self.client.create_folder(self.name)

    def unseen(self) -> list[int]:
        self.client.select_folder(self.name, readonly=True)
        return self.client.search(["UNSEEN"])

    def remove(self) -> None:
        if self.client.folder_exists(self.name):
            self.client.delete_folder(self.name)
        self.client.logout()


def mailbox_for(imap_folder: Folder, address, **fields) -> Mailbox:
    values = {
        "host": imap_folder.server.host,
        "port": imap_folder.server.port,
        "use_ssl": False,  # the plain port on loopback; test_imap_failures covers TLS
        "username": imap_folder.server.user,
        "password": imap_folder.server.password,
        "folder": imap_folder.name,
    } | fields
    return Mailbox.objects.create(queue=address.queue, address=address, **values)
