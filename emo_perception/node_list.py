"""The node set, listed once (no imports, so ``setup.py`` can read it before anything is
installed): setup.py makes an executable of each node, the launcher starts them, and
scripts/gen_ros_api.py documents them."""

# Launch order of the launcher (sources first); recorder_node is started by `record`.
LAUNCHABLE_NODES = ("camera_node", "mic_node", "deid_node", "au_node", "gesture_node",
                    "voice_node", "fusion_node", "reasoning_node", "hri_bridge_node",
                    "player_node")
NODES = (*LAUNCHABLE_NODES, "recorder_node")
SOURCE_NODES = ("camera_node", "mic_node", "player_node")
