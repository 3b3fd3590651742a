// Playbook.Task would clash with Swift concurrency's Task inside the engine.
import Playbook

typealias PlayTask = Playbook.Task
