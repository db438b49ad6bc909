"""Step 8: post a $1.00 test invoice and a $1.00 carrier bill, show the result, tidy up after.

The test proves the whole chain an integration relies on: the connection, the mapped invoice
item (and its tax code outside the US) and the mapped bill account. It is built to be safe:

- **No duplicates.** Each document's `requestid` is written to the profile folder (atomically)
  *before* it is sent. A retry, in this run or a later one, sends the same id and QuickBooks
  answers with the document it already made instead of making another.
- **Clearly named parties.** The invoice goes to "qbo-wizard test customer" and the bill comes
  from "qbo-wizard test carrier", found or created; a name clash (6240: another customer, vendor
  or employee already has the name, or an inactive one does) is met by trying a numbered name.
- **Production asks first.** On a real company the caller must pass the company's name, typed
  by the user, as `confirm_production`; these are real documents in real books.
- **Explained results.** Each document ends ✓ (number, amount, a link that opens it in
  QuickBooks) or ✗ with the error knowledge's title, causes, fix and the step that fixes it;
  a mapping problem also names the mapping line, so step 7 can highlight it.
- **Cleanup.** The invoice is voided (it stays, at zero, for the audit trail) and the bill
  deleted, each with the SyncToken read just before (a 5010 "someone else changed it" gets one
  more read and try). What was posted and not yet cleaned stays in the record, so the next run
  (or `qbo-wizard test --cleanup-only`) finishes an interrupted cleanup.

The modules: `plan` (what a run will do, read first), `run` (posting and cleanup), `results`
(what a run did, and its explained problems), `record` (`test-documents.yaml` and the lock that
lets one run go at a time) and `status` (the status home's row).

How a screen uses it (calls marked * talk to QuickBooks and belong in a thread worker;
`on_progress` is then called on that worker's thread, so forward it with `call_from_thread`):

0. * `api = QboApi.for_profile(profile_name)` (reads the keyring); pass it to every call.
1. * `plan = plan_dollar_check(profile_name, api)`: company, the mapping lines that will be used,
   whether production confirmation is needed (`plan.production`, `plan.warning`) and what an
   earlier run left to clean (`plan.pending_cleanup`). Reads only.
2. * `result = run_dollar_check(profile_name, api=api, plan=plan, cleanup=…,
   confirm_production=…, on_progress=…)`: one `DocumentResult` per document, each with its
   `CleanupOutcome`.
   `ProductionConfirmationRequired` is raised, before anything is written, when the typed name
   does not match; `DollarCheckAlreadyRunning` when another window or command is running it. Show
   `document.mark`, `number`, `amount_text()` and `link`, or `problem.headline()`, `cause`,
   `fix` and a jump to `problem.step` with `problem.line_id` highlighted.
3. * `clean_up_check_documents(profile_name, api=api)` when the user kept the documents and
   later asks to void / delete them.

`profile.last_test` (`at`, `ok`, `summary`, document ids, `pending_cleanup`) is what the status
home shows; the request ids and the documents awaiting cleanup are in `test-documents.yaml`.
"""
