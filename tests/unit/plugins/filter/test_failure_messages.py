from ansible_collections.voicestack.aws.plugins.filter.failure_messages import failure_messages


def test_each_failed_item_gives_its_own_message():
    result = {
        "msg": "One or more items failed",
        "results": [{"failed": False, "msg": "fine"}, {"failed": True, "msg": "403 Forbidden"}, {"failed": True}],
    }
    assert failure_messages(result) == ["403 Forbidden", "no message"]


def test_a_task_without_a_loop_gives_its_message():
    assert failure_messages({"msg": "NoSuchEntity"}) == ["NoSuchEntity"]
    assert failure_messages({}) == ["no message"]
    assert failure_messages(None) == ["no message"]
